package dev.limits.plans.jdbc;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A mapping of limits_plan with a wrong column name, which schema validation must refuse. */
@Entity
@Table(name = "limits_plan")
class MisnamedPlanEntity {

  @Id
  @Column(name = "name")
  String name = "";

  @Column(name = "active")
  boolean active;
}
