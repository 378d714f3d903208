package org.idcguard.agent.manager.ha;

/** The engine's clock and its waits: the system's in production, a virtual one in the deterministic simulation. */
interface HaClock {
    long millis();

    void sleep(long millis);

    HaClock SYSTEM = new HaClock() {
        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    };
}
