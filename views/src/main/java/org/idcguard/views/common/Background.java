package org.idcguard.views.common;

import java.util.concurrent.Callable;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyIntegerProperty;

/**
 * The one door for work that touches the network or disk: the work runs off the FX thread, and its
 * result or failure is handed back on the FX thread. Views never block the FX thread.
 */
public interface Background {

    /**
     * Runs work in the background.
     *
     * @param what      a short phrase for the status bar, e.g. "Adding IDC1"
     * @param onSuccess called on the FX thread with the result
     * @param onFailure called on the FX thread with the failure
     */
    <T> void run(String what, Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure);

    /** Like {@link #run}, for polling nobody asked for: it does not show as progress. */
    <T> void runQuietly(Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure);

    /** How many tasks are running now; drives the progress indicator. Read on the FX thread. */
    ReadOnlyIntegerProperty runningProperty();
}
