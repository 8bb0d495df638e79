package dev.limits.it.jpms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.limits.Decision;
import dev.limits.Limiter;
import java.lang.module.ModuleDescriptor;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** limits-core seen from an application module: named, exporting the API and the SPI and nothing else. */
class ModulePathTest {

  private final Module core = Limiter.class.getModule();

  @Test
  void runsAsNamedModules() {
    assertEquals("dev.limits.it.jpms", ModularApp.class.getModule().getName(), "the app runs on the module path");
    assertEquals("dev.limits.core", core.getName(), "limits-core is a named module, not the class path");
    assertTrue(ModularApp.class.getModule().canRead(core));
  }

  @Test
  void limiterWorksThroughTheExportedApi() {
    assertEquals(List.of(Decision.Outcome.ALLOWED, Decision.Outcome.ALLOWED, Decision.Outcome.QUOTA_EXCEEDED),
        ModularApp.run());
  }

  @Test
  void exportsTheApiAndTheSpiOnly() {
    ModuleDescriptor d = core.getDescriptor();
    Set<String> exported = d.exports().stream()
        .peek(e -> assertFalse(e.isQualified(), "qualified export " + e))
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    assertEquals(Set.of("dev.limits", "dev.limits.spi"), exported);
    assertTrue(d.opens().isEmpty(), "opens nothing: " + d.opens());
    assertTrue(core.getPackages().contains("dev.limits.internal"));
    assertFalse(core.isExported("dev.limits.internal"));
    assertFalse(core.isOpen("dev.limits.internal", ModulePathTest.class.getModule()));
  }

  @Test
  void needsOnlySlf4jAtRunTime() {
    Set<String> runtime = core.getDescriptor().requires().stream()
        .filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    assertEquals(Set.of("java.base", "org.slf4j"), runtime);
  }

  @Test
  void internalClassesAreOutOfReach() throws Exception {
    Class<?> checks = Class.forName("dev.limits.internal.Checks");
    assertThrows(IllegalAccessException.class,
        () -> checks.getMethod("saturatedAdd", long.class, long.class).invoke(null, 1L, 2L));
  }
}
