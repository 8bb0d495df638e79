package dev.limits.plans.jdbc.jpa;

import dev.limits.plans.Plan;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A row of {@code limits_plan} with its settings from {@code limits_plan_setting}, keyed by the names
 * {@link Plan#fromConfig(Map)} reads (a limit of 0 means unlimited: {@link dev.limits.plans.Allowance#unlimited()}).
 * Not thread-safe, like any entity.
 */
@Entity
@Table(name = "limits_plan")
public class PlanEntity {

  @Id
  @Column(name = "name", length = 80, nullable = false)
  private String name = "";

  @Column(name = "is_active", nullable = false)
  private boolean active;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "limits_plan_setting", joinColumns = @JoinColumn(name = "plan_name"))
  @MapKeyColumn(name = "setting_key", length = 200)
  @Column(name = "setting_value", length = 4000, nullable = false)
  private Map<String, String> settings = new TreeMap<>();

  /** For the JPA provider. */
  protected PlanEntity() {}

  /**
   * A plan with no settings.
   *
   * @param name   the plan's name
   * @param active whether users of the plan may use it
   * @throws NullPointerException if {@code name} is null
   */
  public PlanEntity(String name, boolean active) {
    this.name = Objects.requireNonNull(name, "name");
    this.active = active;
  }

  /** {@return the plan's name, its primary key} */
  public String getName() {
    return name;
  }

  /** {@return whether users of the plan may use it} */
  public boolean isActive() {
    return active;
  }

  /**
   * Enables or disables the plan.
   *
   * @param active whether users of the plan may use it
   */
  public void setActive(boolean active) {
    this.active = active;
  }

  /** {@return the settings by key, modifiable: put, change or remove a setting here} */
  public Map<String, String> getSettings() {
    return settings;
  }

  /**
   * Compiles this row and its settings with {@link Plan#fromConfig(Map)}; the name and the active flag come
   * from this row, never from a setting of the same key.
   *
   * @return the plan
   * @throws dev.limits.plans.InvalidPlanException listing every bad setting, if there is any
   */
  public Plan toPlan() {
    Map<String, String> config = new TreeMap<>(settings);
    config.put("name", name);
    config.put("is_active", Boolean.toString(active));
    return Plan.fromConfig(config);
  }
}
