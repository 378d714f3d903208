package org.idcguard.agent.testing;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Test cases that share one estate and one cluster: building them costs a quarter to half a minute of two cores, so
 * cases that each leave the cluster fully protected run on the same one, in the order their {@code @Order} gives. Each
 * case begins with the cluster fully protected, and looks only at the events after its own mark
 * ({@link LocalEstate#lastEventId()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class OneClusterPerClass {
    protected final String name;
    protected LocalEstate estate;

    protected OneClusterPerClass(String name) {
        this.name = name;
    }

    /** The estate the cluster is created in. */
    protected abstract LocalEstate startEstate();

    @BeforeAll
    void createCluster() {
        estate = startEstate();
        HaEstates.createCluster(estate, name);
    }

    @AfterAll
    void closeEstate() {
        if (estate != null) {
            estate.close();
        }
    }

    @BeforeEach
    void clusterFullyProtected() {
        HaEstates.awaitFullProtection(estate, name, Duration.ofSeconds(120));
    }
}
