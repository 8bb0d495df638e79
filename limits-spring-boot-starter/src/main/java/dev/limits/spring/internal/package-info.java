/**
 * The starter's machinery: the compilation of the properties to policies, the Spring MVC interceptor and its
 * problem details, the Actuator endpoint and health indicator. Not an API: it changes without notice.
 */
@NullMarked
package dev.limits.spring.internal;

import org.jspecify.annotations.NullMarked;
