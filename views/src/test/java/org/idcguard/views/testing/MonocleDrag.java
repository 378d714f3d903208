package org.idcguard.views.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Monocle's MouseInput is a JVM-wide singleton whose drag state survives a plain drag; a drag-and-drop
 * test that follows one then sees a null dragboard. Reset it before each such test (no-op off Monocle).
 */
public final class MonocleDrag {
    private MonocleDrag() {
    }

    public static void reset() {
        if (!"Monocle".equals(System.getProperty("glass.platform"))) {
            return;
        }
        try {
            Class<?> type = Class.forName("com.sun.glass.ui.monocle.MouseInput");
            Method getInstance = type.getDeclaredMethod("getInstance");
            getInstance.setAccessible(true);
            Object instance = getInstance.invoke(null);
            set(type, instance, "dragView", null);
            set(type, instance, "dragInProgress", false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reset Monocle's drag state", e);
        }
    }

    private static void set(Class<?> type, Object instance, String field, Object value) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(field);
        f.setAccessible(true);
        f.set(instance, value);
    }
}
