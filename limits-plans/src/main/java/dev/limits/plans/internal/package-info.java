/**
 * Implementation details of limits-plans: argument checks, the reading of admin settings into a
 * {@link dev.limits.plans.Plan}, the compilation of a plan to limits policies, and the escaping of ids into
 * subjects and model-group names.
 *
 * <p>Belongs here: what the classes of {@code dev.limits.plans} share and a user of the library never calls.
 * Not part of the API: the module does not export this package, and any type here may change or disappear in
 * any release. Other modules of the project must not use it either.
 */
@NullMarked
package dev.limits.plans.internal;

import org.jspecify.annotations.NullMarked;
