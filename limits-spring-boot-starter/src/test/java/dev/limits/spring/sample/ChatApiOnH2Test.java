package dev.limits.spring.sample;

import dev.limits.jdbc.JdbcDialect;
import org.springframework.boot.test.context.SpringBootTest;

/** The sample on its default database, an embedded H2. */
@SpringBootTest(classes = ChatApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChatApiOnH2Test extends ChatApiTest {

  @Override
  JdbcDialect database() {
    return JdbcDialect.H2;
  }
}
