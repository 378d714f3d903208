package org.idcguard.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "org.idcguard.model", importOptions = ImportOption.DoNotIncludeTests.class)
class ModelLayeringTest {

    @ArchTest
    static final ArchRule modelKnowsNoUiAndNoNetwork = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "java.net.http..", "org.apache.hc..",
                    "io.javalin..", "java.sql..")
            .because("the model is the shared vocabulary of console and agent; transport and UI live elsewhere");
}
