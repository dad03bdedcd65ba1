package dev.vitra.watchdog.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./vitra-watchdog}. */
@Command(name = "vitra-watchdog", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Independent monitor for Vitra execution-transparency databases.",
        subcommands = {AuditCommand.class, VerifyProofCommand.class, RunCommand.class, ValidateConfigCommand.class, LogCommand.class, DemoCommand.class, ExecutorCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int exit;
        try {
            exit = run(args);
        } catch (Throwable t) { // an Error (out of memory, say) escaped the command: it proves nothing
            System.err.println("error: internal failure, nothing was concluded: " + t);
            exit = ExitCodes.COULD_NOT_VERIFY;
        }
        System.exit(exit);
    }

    /** Runs a command line in-process and returns its exit code (tests use this). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command line of every entry point. An exception a command did not handle is a failure of ours, never a
     * finding: it exits 3 (could not verify), not picocli's default 1, which here means misbehaviour proven.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: internal failure, nothing was concluded: " + e);
                    e.printStackTrace(cmd.getErr());
                    cmd.getErr().flush();
                    return ExitCodes.COULD_NOT_VERIFY;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
