package dev.limits.plans.jdbc.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.io.Serializable;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The primary key of {@code limits_message}: a language tag and a message key. */
@Embeddable
public class MessageTemplateId implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The language tag, such as {@code fa}. */
  @Column(name = "locale", length = 35, nullable = false)
  private String locale = "";

  /** The message key, such as {@code quota.messages-hour}. */
  @Column(name = "message_key", length = 200, nullable = false)
  private String messageKey = "";

  /** For the JPA provider. */
  protected MessageTemplateId() {}

  /**
   * A key.
   *
   * @param locale     a language tag, such as {@code fa}
   * @param messageKey a {@code MessageCatalog} key, such as {@code quota.messages-hour}
   * @throws NullPointerException if an argument is null
   */
  public MessageTemplateId(String locale, String messageKey) {
    this.locale = Objects.requireNonNull(locale, "locale");
    this.messageKey = Objects.requireNonNull(messageKey, "messageKey");
  }

  /** {@return the language tag} */
  public String getLocale() {
    return locale;
  }

  /** {@return the message key} */
  public String getMessageKey() {
    return messageKey;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof MessageTemplateId other && locale.equals(other.locale) && messageKey.equals(other.messageKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(locale, messageKey);
  }
}
