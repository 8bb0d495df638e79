package dev.limits.plans;

import dev.limits.plans.internal.Require;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a request asks of the backend: a message to a model (perhaps generating an image, perhaps with files
 * attached), or an upload of files alone. Immutable and thread-safe; each method returns a new call.
 *
 * <pre>{@code
 * AiCall.message("openai/gpt-4o").chat("chat-7").estimatedTokens(1_200).file(FileSpec.named("a.pdf", 20_000))
 * AiCall.message("dall-e-3").generateImage()
 * AiCall.upload().chat("chat-7").file(FileSpec.named("photo.png", 300_000))
 * }</pre>
 *
 * @see AiGate#before(String, Plan, AiCall)
 */
public final class AiCall {

  private final @Nullable String model;
  private final @Nullable String chat;
  private final long estimatedTokens;
  private final BigDecimal estimatedCost;
  private final boolean generateImage;
  private final List<FileSpec> files;

  private AiCall(@Nullable String model, @Nullable String chat, long estimatedTokens, BigDecimal estimatedCost, boolean generateImage,
      List<FileSpec> files) {
    this.model = model;
    this.chat = chat;
    this.estimatedTokens = estimatedTokens;
    this.estimatedCost = estimatedCost;
    this.generateImage = generateImage;
    this.files = files;
  }

  /**
   * A message to {@code model}: counts one message, and tokens and cost after the call.
   *
   * @param model the model id
   * @return the call
   * @throws NullPointerException     if {@code model} is null
   * @throws IllegalArgumentException if the model id is empty or longer than {@value Plan#MAX_MODEL_LENGTH}
   */
  public static AiCall message(String model) {
    Objects.requireNonNull(model, "model");
    Require.argument(!model.isEmpty() && model.length() <= Plan.MAX_MODEL_LENGTH,
        "model id must have 1 to %s characters, got '%s'", Plan.MAX_MODEL_LENGTH, model);
    return new AiCall(model, null, 0, BigDecimal.ZERO, false, List.of());
  }

  /** {@return an upload of files without a message: only the subscription and the file limits are checked} */
  public static AiCall upload() {
    return new AiCall(null, null, 0, BigDecimal.ZERO, false, List.of());
  }

  /**
   * Returns this call in the chat session {@code chat}, whose per-chat file limit then applies.
   *
   * @param chat the chat session id
   * @return the call in that session
   * @throws NullPointerException     if {@code chat} is null
   * @throws IllegalArgumentException if it is empty or longer than 100 characters
   */
  public AiCall chat(String chat) {
    Objects.requireNonNull(chat, "chat");
    Require.argument(!chat.isEmpty() && chat.length() <= 100, "chat id must have 1 to 100 characters, got '%s'",
        chat);
    return new AiCall(model, chat, estimatedTokens, estimatedCost, generateImage, files);
  }

  /**
   * Returns this call reserving {@code tokens} until it settles (default 0: only "is anything left?").
   *
   * @param tokens the tokens to reserve, zero or more
   * @return the call reserving them
   * @throws IllegalArgumentException if {@code tokens} is negative
   * @throws IllegalStateException    if this is an upload
   */
  public AiCall estimatedTokens(long tokens) {
    requireMessage();
    Require.argument(tokens >= 0, "estimated tokens must not be negative, got %s", tokens);
    return new AiCall(model, chat, tokens, estimatedCost, generateImage, files);
  }

  /**
   * Returns this call reserving {@code usd} of cost until it settles (default 0: only "is anything left?").
   *
   * @param usd the cost to reserve in dollars, zero or more
   * @return the call reserving it
   * @throws NullPointerException     if {@code usd} is null
   * @throws IllegalArgumentException if it is negative
   * @throws IllegalStateException    if this is an upload
   */
  public AiCall estimatedCost(BigDecimal usd) {
    requireMessage();
    Objects.requireNonNull(usd, "usd");
    Require.argument(usd.signum() >= 0, "estimated cost must not be negative, got %s", usd);
    return new AiCall(model, chat, estimatedTokens, usd, generateImage, files);
  }

  /**
   * Returns this call generating an image: the image limits are checked, and one generation is counted if
   * images were saved.
   *
   * @return the call generating an image
   * @throws IllegalStateException if this is an upload
   */
  public AiCall generateImage() {
    requireMessage();
    return new AiCall(model, chat, estimatedTokens, estimatedCost, true, files);
  }

  /**
   * Returns this call carrying {@code file} as well.
   *
   * @param file the file
   * @return the call with the file added after those it carries
   * @throws NullPointerException if {@code file} is null
   */
  public AiCall file(FileSpec file) {
    Objects.requireNonNull(file, "file");
    List<FileSpec> more = new ArrayList<>(files);
    more.add(file);
    return new AiCall(model, chat, estimatedTokens, estimatedCost, generateImage, List.copyOf(more));
  }

  /** {@return whether this is a message to a model (rather than an upload alone)} */
  public boolean isMessage() {
    return model != null;
  }

  /** {@return the model, or null for an upload} */
  public @Nullable String model() {
    return model;
  }

  /** {@return the chat session, or null} */
  public @Nullable String chat() {
    return chat;
  }

  /** {@return the tokens reserved until the call settles} */
  public long estimatedTokens() {
    return estimatedTokens;
  }

  /** {@return the cost reserved until the call settles, in dollars} */
  public BigDecimal estimatedCost() {
    return estimatedCost;
  }

  /** {@return whether the call generates an image} */
  public boolean generatesImage() {
    return generateImage;
  }

  /** {@return the files carried, in order} */
  public List<FileSpec> files() {
    return files;
  }

  /** Dollars to micro-dollars, rounded up so that a budget never undercounts. */
  static long micros(BigDecimal usd) {
    try {
      return usd.setScale(PlanMetrics.COST.scale(), RoundingMode.CEILING).unscaledValue().longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("cost " + usd.toPlainString() + " USD is too large", e);
    }
  }

  private void requireMessage() {
    Require.state(model != null, "an upload has no tokens, cost or image; use AiCall.message(model)");
  }

  @Override
  public String toString() {
    return "AiCall[" + (model == null ? "upload" : model) + (chat == null ? "" : ", chat=" + chat)
        + (estimatedTokens == 0 ? "" : ", tokens~" + estimatedTokens)
        + (estimatedCost.signum() == 0 ? "" : ", cost~" + estimatedCost.toPlainString())
        + (generateImage ? ", image" : "") + (files.isEmpty() ? "" : ", files=" + files) + "]";
  }
}
