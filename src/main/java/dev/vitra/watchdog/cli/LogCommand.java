package dev.vitra.watchdog.cli;

import picocli.CommandLine.Command;

@Command(name = "log", mixinStandardHelpOptions = true,
        description = "Work with a single tlog-tiles log.",
        subcommands = {LogVerifyCommand.class})
final class LogCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
