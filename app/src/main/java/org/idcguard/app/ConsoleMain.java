package org.idcguard.app;

import javafx.application.Application;

/** Entry point: a plain main class, so JavaFX on the class path starts without the module system. */
public final class ConsoleMain {
    private ConsoleMain() {
    }

    public static void main(String[] args) {
        // The console's own logging set-up, by name: in the installed image the agent's jar, with its logback.xml, is
        // on the same class path, and two files of the one default name make logback warn at every start.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-console.xml");
        }
        Application.launch(ConsoleApp.class, args);
    }
}
