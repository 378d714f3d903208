package org.idcguard.agent.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./idcguard} command line (docs/architecture.md, "Contracts"). Every failure is one sentence on stderr and a non-zero exit. */
@Command(name = "idcguard", mixinStandardHelpOptions = true, version = "IDC Guard 0.1",
        description = "Keeps a sharded PostgreSQL cluster writable through the loss of a data center.",
        subcommands = {ManagerCommand.class, NodeCommand.class, OperatorCommand.class, LoginCommand.Login.class, LoginCommand.Logout.class, LoginCommand.WhoamiCommand.class, AuditCommand.class, ApprovalCommand.class, DemoCommand.class, IdcCommand.class, ComputerCommand.class, ClusterCommand.class, BenchCommand.class, DrillCommand.class, ChaosCommand.class, SwitchCommand.class, DrCommand.class, LabCommand.class})
public final class IdcGuardCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new IdcGuardCli());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            PrintWriter err = commandLine.getErr();
            err.println(e instanceof CliFailure ? e.getMessage() : "idcguard: " + sentence(e));
            err.flush();
            return e instanceof CliFailure f ? f.exitCode() : 1;
        });
        return cli.execute(args);
    }

    private static String sentence(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
