/**
 * Limits in a Spring Boot application: policies in {@code application.yml} ({@link
 * dev.limits.spring.LimitsProperties}), a {@link dev.limits.Limiter} on the application's store, handlers
 * marked {@link dev.limits.spring.Limited} that reserve before they run and count only when they answer 2xx,
 * denials answered as RFC 9457 problem details, Micrometer meters and an Actuator endpoint.
 *
 * <p>What an application uses: {@link dev.limits.spring.Limited}, {@link dev.limits.spring.LimitedCall},
 * {@link dev.limits.spring.SubjectResolver}, {@link dev.limits.spring.LimitPolicies} and the properties. The
 * auto-configuration classes are public because Spring Boot loads them; every bean they define gives way to
 * one of the application's own.
 */
@NullMarked
package dev.limits.spring;

import org.jspecify.annotations.NullMarked;
