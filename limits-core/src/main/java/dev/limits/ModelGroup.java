package dev.limits;

import dev.limits.internal.Checks;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A named set of AI models sharing one budget: a {@link Quota} scoped to a group counts only requests for
 * those models, in a counter of its own. A per-model budget is a group of one model.
 *
 * @param name   the group's name, part of its counters' keys: 1 to 64 characters without {@code @ # /},
 *               whitespace, control characters or unpaired surrogates
 * @param models the model ids in the group, not empty, each a model a {@link LimitRequest} may name
 */
public record ModelGroup(String name, Set<String> models) {

  private static final Pattern NAME = Pattern.compile("[^@#/\\p{Cntrl}\\s]{1,64}");

  /**
   * Creates a group.
   *
   * @param name   the group's name, part of its counters' keys: 1 to 64 characters without {@code @ # /}
   * @param models the model ids in the group, not empty
   * @throws NullPointerException     if an argument or a model id is null
   * @throws IllegalArgumentException if the name or a model id is malformed, or there are no models
   */
  public ModelGroup {
    Objects.requireNonNull(name, "name");
    Checks.requireIdentifier(name, "model group name", 64); // a part of counter keys
    Checks.requireArgument(NAME.matcher(name).matches(),
        "model group name must be 1 to 64 characters without spaces, @, # or /, got '%s'", name);
    models = Set.copyOf(Objects.requireNonNull(models, "models"));
    Checks.requireArgument(!models.isEmpty(), "model group '%s' has no models", name);
    for (String model : models) {
      Checks.requireIdentifier(model, "model of group '" + name + "'", LimitRequest.MAX_MODEL_LENGTH);
    }
  }

  /**
   * A group named {@code name} of the given models.
   *
   * @param name   the group's name
   * @param models the model ids in it
   * @return the group
   */
  public static ModelGroup of(String name, String... models) {
    return new ModelGroup(name, Set.of(models));
  }

  /**
   * A group of one model, named after it: a per-model budget.
   *
   * @param model the model id
   * @return the group
   */
  public static ModelGroup model(String model) {
    return new ModelGroup(model, Set.of(model));
  }

  /**
   * Whether {@code model} belongs to this group.
   *
   * @param model a model id, or null when a request names none
   * @return whether the group holds it; false for null
   */
  public boolean contains(@Nullable String model) {
    return model != null && models.contains(model);
  }
}
