package org.idcguard.app;

import javafx.application.Application;

/** Entry point: a plain main class, so JavaFX on the class path starts without the module system. */
public final class ConsoleMain {
    private ConsoleMain() {
    }

    public static void main(String[] args) {
        Application.launch(ConsoleApp.class, args);
    }
}
