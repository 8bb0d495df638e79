package dev.limits.plans;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.limits.testkit.LimitsArchitecture;

/**
 * The plans layer builds on the core's API only, never on its internals; and its own internals never show in
 * its API, so a user reaches everything through {@code dev.limits.plans} and nothing through
 * {@code dev.limits.plans.internal}, which the module does not export.
 */
@AnalyzeClasses(packages = "dev.limits.plans", importOptions = ImportOption.DoNotIncludeTests.class)
class PlansArchitectureTest {

  private static final String API = "dev.limits.plans";
  private static final String INTERNAL = "dev.limits.plans.internal";
  private static final DescribedPredicate<JavaClass> PUBLIC_API_TYPE =
      DescribedPredicate.describe("are public types of " + API, c -> c.getPackageName().equals(API)
          && c.getModifiers().contains(JavaModifier.PUBLIC));

  @ArchTest
  static final ArchRule noCoreInternals = LimitsArchitecture.NO_CORE_INTERNALS;

  @ArchTest
  static final ArchRule apiMethodsDoNotTakeOrReturnInternalTypes = codeUnits()
      .that().arePublic().and().areDeclaredInClassesThat(PUBLIC_API_TYPE)
      .should(new ArchCondition<JavaCodeUnit>("neither take nor return a type of " + INTERNAL) {
        @Override
        public void check(JavaCodeUnit unit, ConditionEvents events) {
          unit.getRawParameterTypes().forEach(t -> report(unit, t, events));
          report(unit, unit.getRawReturnType(), events);
        }
      })
      .allowEmptyShould(true);

  @ArchTest
  static final ArchRule apiFieldsAreNotOfInternalTypes = fields()
      .that().arePublic().and().areDeclaredInClassesThat(PUBLIC_API_TYPE)
      .should(new ArchCondition<JavaField>("not be of a type of " + INTERNAL) {
        @Override
        public void check(JavaField field, ConditionEvents events) {
          report(field.getFullName(), field.getRawType(), events, field);
        }
      })
      .allowEmptyShould(true);

  private static void report(JavaCodeUnit unit, JavaClass type, ConditionEvents events) {
    report(unit.getFullName(), type, events, unit);
  }

  private static void report(String member, JavaClass type, ConditionEvents events, Object source) {
    JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
    if (base.getPackageName().equals(INTERNAL)) {
      events.add(SimpleConditionEvent.violated(source, member + " exposes " + base.getName()));
    }
  }
}
