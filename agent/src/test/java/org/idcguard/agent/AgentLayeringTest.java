package org.idcguard.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "org.idcguard.agent", importOptions = ImportOption.DoNotIncludeTests.class)
class AgentLayeringTest {

    @ArchTest
    static final ArchRule agentKnowsNoJavaFx = noClasses().should().dependOnClassesThat().resideInAPackage("javafx..")
            .because("the agent runs headless on hosts without a display");

    @ArchTest
    static final ArchRule nodeAgentDoesNotReachIntoTheManager = noClasses().that().resideInAPackage("..agent.node..")
            .should().dependOnClassesThat().resideInAPackage("..agent.manager..")
            .because("a node agent owns its host's processes only; decisions belong to the manager");

    @ArchTest
    static final ArchRule theHaDecisionIsPure = noClasses()
            .that().haveSimpleNameStartingWith("HaDecision").or().haveSimpleName("GroupFacts").or().haveSimpleName("HaAction")
            .or().haveSimpleName("CandidateChoice").or().haveSimpleName("SyncSetRule")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "java.net..", "java.io..", "org.eclipse.jetty..")
            .orShould().dependOnClassesThat().haveSimpleNameEndingWith("Store")
            .orShould().dependOnClassesThat().haveSimpleNameEndingWith("Client")
            .because("the HA decision is a pure function of the tick's facts: unit-tested row by row without PostgreSQL");

    @ArchTest
    static final ArchRule theTableRecoveryIsPure = noClasses().that().haveSimpleNameStartingWith("IntentRecoveryTable")
            .or().haveSimpleName("IntentStep").or().haveSimpleName("IntentKind")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "java.net..", "java.io..")
            .because("how an interrupted intent ends is a pure table, unit-tested row by row");

    @ArchTest
    static final ArchRule engineMethodsTakeAtMostSixParameters = methods().that().areDeclaredInClassesThat()
            .resideInAPackage("..agent.manager.ha").should(new ArchCondition<JavaMethod>("take at most 6 parameters") {
                @Override
                public void check(JavaMethod m, ConditionEvents events) {
                    boolean many = !m.getModifiers().contains(JavaModifier.SYNTHETIC) && m.getRawParameterTypes().size() > 6;
                    events.add(new SimpleConditionEvent(m, !many, m.getFullName() + " takes " + m.getRawParameterTypes().size()
                            + " parameters"));
                }
            }).because("an operation's context is one object, not a list threaded through every step");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.idcguard.agent.(**)").should().beFreeOfCycles()
            .because("each package can then be read, tested and changed from the bottom up");
}
