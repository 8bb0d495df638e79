package dev.limits.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Hands a {@link Limited} handler its {@link LimitedCall}. */
final class LimitedCallArgumentResolver implements HandlerMethodArgumentResolver {

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == LimitedCall.class;
  }

  @Override
  public Object resolveArgument(MethodParameter parameter, @Nullable ModelAndViewContainer container,
      NativeWebRequest request, @Nullable WebDataBinderFactory binders) {
    Object call = request.getAttribute(LimitsInterceptor.CALL, RequestAttributes.SCOPE_REQUEST);
    if (call == null) {
      throw new IllegalStateException(parameter.getExecutable() + " takes a LimitedCall but is not @Limited");
    }
    return call;
  }
}
