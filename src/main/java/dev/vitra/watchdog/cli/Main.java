package dev.vitra.watchdog.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./vitra-watchdog}. */
@Command(name = "vitra-watchdog", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Independent monitor for Vitra execution-transparency databases.",
        subcommands = {AuditCommand.class, LogCommand.class, DemoCommand.class, ExecutorCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line in-process and returns its exit code (tests use this). */
    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
