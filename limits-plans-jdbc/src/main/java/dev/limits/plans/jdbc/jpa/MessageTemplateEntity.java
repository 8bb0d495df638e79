package dev.limits.plans.jdbc.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.util.Objects;

/**
 * A row of {@code limits_message}: a template that overrides a shipped message in one language. Not
 * thread-safe, like any entity.
 */
@Entity
@Table(name = "limits_message")
public class MessageTemplateEntity {

  @EmbeddedId
  private MessageTemplateId id = new MessageTemplateId();

  @Column(name = "template", length = 4000, nullable = false)
  private String template = "";

  /** For the JPA provider. */
  protected MessageTemplateEntity() {}

  /**
   * A template.
   *
   * @param id       the language tag and message key
   * @param template the template text, with placeholders such as {@code {limit}}
   * @throws NullPointerException if an argument is null
   */
  public MessageTemplateEntity(MessageTemplateId id, String template) {
    this.id = Objects.requireNonNull(id, "id");
    this.template = Objects.requireNonNull(template, "template");
  }

  /** {@return the language tag and message key} */
  public MessageTemplateId getId() {
    return id;
  }

  /** {@return the template text} */
  public String getTemplate() {
    return template;
  }

  /**
   * Changes the template text.
   *
   * @param template the template text
   * @throws NullPointerException if {@code template} is null
   */
  public void setTemplate(String template) {
    this.template = Objects.requireNonNull(template, "template");
  }
}
