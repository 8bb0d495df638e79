-- limits-plans-jdbc schema for mysql: admin-editable plans and messages. Run it through Flyway/Liquibase
-- or by hand; PlanStore only reads these tables.

-- One row per plan. is_active = FALSE disables the plan (its users are refused) without deleting it.
CREATE TABLE IF NOT EXISTS limits_plan (
  name      VARCHAR(80) NOT NULL,
  is_active BOOLEAN NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- A plan's settings, keyed by the names Plan.fromConfig reads (daily_max_messages, monthly_max_tokens,
-- max_openrouter_cost_usd, allowed_models, model_token_budget.<model>, ...). A limit of 0 means unlimited.
CREATE TABLE IF NOT EXISTS limits_plan_setting (
  plan_name     VARCHAR(80) NOT NULL,
  setting_key   VARCHAR(200) NOT NULL,
  setting_value VARCHAR(4000) NOT NULL,
  PRIMARY KEY (plan_name, setting_key),
  FOREIGN KEY (plan_name) REFERENCES limits_plan (name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Message templates that override the shipped ones: locale is a language tag (fa, en, fa-IR), message_key
-- a MessageCatalog key such as quota.messages-hour.
CREATE TABLE IF NOT EXISTS limits_message (
  locale      VARCHAR(35) NOT NULL,
  message_key VARCHAR(200) NOT NULL,
  template    VARCHAR(4000) NOT NULL,
  PRIMARY KEY (locale, message_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
