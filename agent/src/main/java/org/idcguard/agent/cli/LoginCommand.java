package org.idcguard.agent.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.client.ApiPaths;
import org.idcguard.model.LoginRequest;
import org.idcguard.model.OperatorSession;
import org.idcguard.model.Whoami;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line acts as the operator logged in from its home: {@code login} keeps their session in the home
 * (0600), {@code logout} ends it, {@code whoami} says who the manager takes this home for.
 */
final class LoginCommand {
    private LoginCommand() {
    }

    @Command(name = "login", description = "Logs in as a named operator; the session (12 h) is kept in the home, readable by "
            + "its owner alone, and every later command acts as that operator. The first time, give the one-time code an "
            + "admin was given: the password typed then becomes yours.")
    static final class Login implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--code", description = "The one-time code of a first login.")
        String code;
        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input "
                + "(for scripts) instead of asking for it.")
        boolean passwordStdin;

        @Override
        public Integer call() {
            AgentHome home = homeOption.home();
            String password = passwordStdin ? firstLine() : ask(code == null ? "Password for " + name + ": "
                    : "Choose a password for " + name + " (at least 12 characters): ");
            if (code != null && !passwordStdin) {
                if (!password.equals(ask("The same password again: "))) {
                    throw new CliFailure("The two passwords differ; nothing changed.");
                }
            }
            // a login needs no credential: an older session stays until this one replaces it, so a failed login changes nothing
            OperatorSession session = ManagerClient.of(home).post(ApiPaths.LOGIN, new LoginRequest(name, password, code),
                    new TypeReference<>() { });
            try {
                home.layout().writeSession(session.token());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot keep the session in " + home.root() + ": " + e.getMessage(), e);
            }
            System.out.println("Logged in as " + session.name() + " (" + session.role() + ") until "
                    + Instant.ofEpochMilli(session.expiresMillis()) + ".");
            return 0;
        }
    }

    @Command(name = "logout", description = "Ends the session of the operator logged in from this home.")
    static final class Logout implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            AgentHome home = homeOption.home();
            if (!Files.exists(home.layout().sessionFile())) {
                System.out.println("Nobody is logged in from " + home.root() + ".");
                return 0;
            }
            try {
                ManagerClient.of(home).post(ApiPaths.LOGOUT, null, null);
            } finally {
                deleteSession(home);
            }
            System.out.println("Logged out.");
            return 0;
        }
    }

    @Command(name = "whoami", description = "Says who the manager takes this home for: an operator and their role.")
    static final class WhoamiCommand implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            Whoami me = ManagerClient.of(homeOption.home()).get(ApiPaths.WHOAMI, new TypeReference<>() { });
            System.out.println(me.name() + " (" + me.role() + ")");
            return 0;
        }
    }

    private static String ask(String prompt) {
        java.io.Console console = System.console();
        if (console == null) {
            throw new CliFailure("No terminal to ask for the password: give it with --password-stdin.", 2);
        }
        char[] typed = console.readPassword("%s", prompt);
        if (typed == null) {
            throw new CliFailure("No password was given; nothing changed.", 2);
        }
        return new String(typed);
    }

    private static String firstLine() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new CliFailure("No password on standard input; nothing changed.", 2);
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteSession(AgentHome home) {
        try {
            home.layout().deleteSession();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
