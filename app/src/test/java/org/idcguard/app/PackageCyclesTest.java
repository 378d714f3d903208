package org.idcguard.app;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The whole product's package picture, every module on the console's class path (model, views, the API client, the
 * agent and the app itself): no package reaches back to one that depends on it.
 */
@AnalyzeClasses(packages = "org.idcguard", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.idcguard.(**)").should().beFreeOfCycles()
            .because("each package can then be read, tested and changed from the bottom up");
}
