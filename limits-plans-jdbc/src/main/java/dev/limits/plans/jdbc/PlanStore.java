package dev.limits.plans.jdbc;

import dev.limits.InvalidPolicyException;
import dev.limits.MessageCatalog;
import dev.limits.plans.InvalidPlanException;
import dev.limits.plans.Plan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Reads plans and message templates that admins edit in the tables {@code limits_plan},
 * {@code limits_plan_setting} and {@code limits_message} (DDL in {@code dev/limits/plans/jdbc/*.sql}), with
 * plain JDBC on the host's {@link DataSource}.
 *
 * <p>Each plan is compiled by {@link Plan#fromConfig(Map)} from its settings plus {@code name} and
 * {@code is_active} from its {@code limits_plan} row, so a limit of 0 in the tables means unlimited
 * ({@link dev.limits.plans.Allowance#unlimited()}), not a limit that allows nothing. Thread-safe; every
 * call reads the tables again.
 *
 * <pre>{@code
 * PlanStore store = new PlanStore(dataSource);
 * Map<String, Plan> plans = store.load();
 * MessageCatalog messages = store.messages(PlanMessages.chatBuilder());
 * }</pre>
 */
public final class PlanStore {

  private static final String PLANS = "SELECT name, is_active FROM limits_plan";
  private static final String SETTINGS = "SELECT plan_name, setting_key, setting_value FROM limits_plan_setting";
  private static final String MESSAGES = "SELECT locale, message_key, template FROM limits_message";

  private final DataSource dataSource;

  /**
   * A store reading the tables through {@code dataSource}.
   *
   * @param dataSource the database holding the plan tables
   * @throws NullPointerException if {@code dataSource} is null
   */
  public PlanStore(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Reads every plan, active or not.
   *
   * @return the plans by name, sorted, unmodifiable
   * @throws InvalidPolicyException listing every bad setting of every plan at once, each prefixed with the plan's
   *                                name, if there is any
   * @throws SQLException           if the tables cannot be read
   */
  public Map<String, Plan> load() throws SQLException {
    Map<String, Map<String, String>> configs = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(PLANS); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          Map<String, String> config = new TreeMap<>();
          config.put("name", name);
          config.put("is_active", Boolean.toString(rs.getBoolean(2)));
          configs.put(name, config);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(SETTINGS); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, String> config = configs.get(rs.getString(1));
          String key = rs.getString(2);
          if (key.equals("name") || key.equals("is_active")) {
            problems.add(rs.getString(1) + ": setting '" + key + "' belongs in limits_plan, not limits_plan_setting");
          } else if (config != null) {
            config.put(key, rs.getString(3));
          }
        }
      }
    }
    Map<String, Plan> plans = new TreeMap<>();
    configs.forEach((name, config) -> {
      try {
        plans.put(name, Plan.fromConfig(config));
      } catch (InvalidPolicyException e) {
        for (String problem : e.problems()) {
          problems.add(name + ": " + problem);
        }
      }
    });
    if (!problems.isEmpty()) {
      throw new InvalidPlanException("limits_plan", problems);
    }
    return Collections.unmodifiableMap(plans);
  }

  /**
   * Applies the templates of {@code limits_message} on top of {@code base} and builds the catalog.
   *
   * @param base the shipped templates, such as {@code PlanMessages.chatBuilder()}; it is changed
   * @return the catalog with the database's templates overriding the shipped ones
   * @throws NullPointerException     if {@code base} is null
   * @throws IllegalArgumentException if a stored key or template is empty
   * @throws SQLException             if the table cannot be read
   */
  public MessageCatalog messages(MessageCatalog.Builder base) throws SQLException {
    Objects.requireNonNull(base, "base");
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(MESSAGES);
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        base.template(Locale.forLanguageTag(rs.getString(1)), rs.getString(2), rs.getString(3));
      }
    }
    return base.build();
  }
}
