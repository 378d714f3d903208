package org.idcguard.views;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "org.idcguard.views", importOptions = ImportOption.DoNotIncludeTests.class)
class ViewsLayeringTest {

    @ArchTest
    static final ArchRule viewsMakeNoNetworkCalls = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.net..", "org.apache.hc..", "io.javalin..", "java.sql..")
            .because("views reach the manager only through the ManagerApi port, on the background executor");

    @ArchTest
    static final ArchRule viewsDoNotTouchFilesOrProcesses = noClasses().should().dependOnClassesThat()
            .haveFullyQualifiedName(ProcessBuilder.class.getName())
            .orShould().dependOnClassesThat().resideInAPackage("java.nio.file..")
            .because("disk and process work belong to the app and the agent, off the FX thread");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.idcguard.views.(**)").should().beFreeOfCycles()
            .because("each package can then be read, tested and changed from the bottom up");
}
