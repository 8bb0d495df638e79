package dev.limits.jdbc.internal;

import dev.limits.spi.ConsumeRequest;

/** The subject each charge of a request counts against. */
final class Subjects {

  private Subjects() {}

  /** The subject of charge {@code i}. */
  static String of(ConsumeRequest request, int i) {
    return request.subject();
  }
}
