package dev.limits.plans.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.limits.plans.Allowance;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanLimit;
import dev.limits.plans.PlanMessages;
import dev.limits.plans.jdbc.jpa.MessageTemplateEntity;
import dev.limits.plans.jdbc.jpa.MessageTemplateId;
import dev.limits.plans.jdbc.jpa.PlanEntity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.hibernate.tool.schema.spi.SchemaManagementException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The entity mappings against the shipped DDL with a real provider (Hibernate ORM), bootstrapped in code with
 * explicit entity classes: {@code hbm2ddl.auto=validate} fails if a table, column or type does not match.
 */
class JpaMappingTest {

  private static DataSource database(String name) {
    if (name.equals("postgresql") || name.equals("mariadb")) {
      DataSource ds = name.equals("mariadb") ? Databases.mariaDb() : Databases.postgres();
      Databases.clear(ds);
      return ds;
    }
    return Databases.h2("jpa");
  }

  private static EntityManagerFactory entityManagerFactory(DataSource dataSource, Class<?>... entities) {
    Configuration config = new Configuration();
    for (Class<?> entity : entities) {
      config.addAnnotatedClass(entity);
    }
    config.setProperty(AvailableSettings.HBM2DDL_AUTO, "validate");
    config.getProperties().put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource);
    return config.buildSessionFactory();
  }

  private static void inTransaction(EntityManagerFactory emf, Consumer<EntityManager> work) {
    EntityManager em = emf.createEntityManager();
    try {
      em.getTransaction().begin();
      work.accept(em);
      em.getTransaction().commit();
    } finally {
      em.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql", "mariadb"})
  void entitiesMatchTheShippedDdlAndRoundTrip(String database) throws Exception {
    DataSource dataSource = database(database);
    try (EntityManagerFactory emf = entityManagerFactory(dataSource, PlanEntity.class, MessageTemplateEntity.class)) {
      inTransaction(emf, em -> {
        PlanEntity pro = new PlanEntity("pro", true);
        pro.getSettings().put("hourly_max_messages", "20");
        pro.getSettings().put("daily_max_tokens", "0");
        pro.getSettings().put("max_openrouter_cost_usd", "5.00");
        em.persist(pro);
        em.persist(new MessageTemplateEntity(new MessageTemplateId("fa", "quota.messages-hour"),
            "سقف پیام ساعتی شما ({limit} عدد) پر شده است"));
      });
      inTransaction(emf, em -> em.find(PlanEntity.class, "pro").getSettings().put("hourly_max_messages", "25"));

      inTransaction(emf, em -> {
        Plan pro = em.find(PlanEntity.class, "pro").toPlan();
        assertThat(pro.limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(25));
        assertThat(pro.limit(PlanLimit.TOKENS_PER_DAY)).isEqualTo(Allowance.unlimited());
        assertThat(pro.costBudgetUsd()).hasValue(new BigDecimal("5.000000"));
        MessageTemplateEntity m = em.find(MessageTemplateEntity.class,
            new MessageTemplateId("fa", "quota.messages-hour"));
        assertThat(m.getTemplate()).isEqualTo("سقف پیام ساعتی شما ({limit} عدد) پر شده است");
      });
    }

    // What JPA wrote, the JDBC loader reads.
    PlanStore store = new PlanStore(dataSource);
    Plan pro = store.load().get("pro");
    assertThat(pro.limit(PlanLimit.MESSAGES_PER_HOUR)).isEqualTo(Allowance.of(25));
    assertThat(Denials.messagesPerHour(pro, store.messages(PlanMessages.chatBuilder()))
        .message(Locale.forLanguageTag("fa"))).hasValue("سقف پیام ساعتی شما (25 عدد) پر شده است");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgresql"})
  void validationRefusesAMappingThatDoesNotMatch(String database) {
    DataSource dataSource = database.equals("h2") ? Databases.h2("jpa-misnamed") : Databases.postgres();
    assertThatThrownBy(() -> entityManagerFactory(dataSource, MisnamedPlanEntity.class).close())
        .isInstanceOf(SchemaManagementException.class)
        .hasMessageContaining("active");
  }
}
