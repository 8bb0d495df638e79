package dev.limits.plans;

import dev.limits.plans.internal.Require;
import java.util.Locale;
import java.util.Objects;

/**
 * A file offered for upload: its size and extension, checked before the upload is accepted. Immutable and
 * thread-safe.
 *
 * @param sizeBytes the size in bytes, zero or more
 * @param extension the extension, lower case without a dot; empty if the name has none
 * @see AiCall#file(FileSpec)
 */
public record FileSpec(long sizeBytes, String extension) {

  /**
   * Creates a file description; the extension is normalized to lower case without a leading dot.
   *
   * @param sizeBytes the size in bytes, zero or more
   * @param extension the extension, with or without a leading dot, any case; empty if the name has none
   * @throws NullPointerException     if {@code extension} is null
   * @throws IllegalArgumentException if {@code sizeBytes} is negative
   */
  public FileSpec {
    Objects.requireNonNull(extension, "extension");
    Require.argument(sizeBytes >= 0, "file size must not be negative, got %s", sizeBytes);
    extension = (extension.startsWith(".") ? extension.substring(1) : extension).toLowerCase(Locale.ROOT);
  }

  /**
   * Describes a file by its name ({@code "report.PDF"} has the extension {@code pdf}) and size.
   *
   * @param fileName  the file's name, perhaps with a path
   * @param sizeBytes the size in bytes, zero or more
   * @return the file description
   * @throws NullPointerException     if {@code fileName} is null
   * @throws IllegalArgumentException if {@code sizeBytes} is negative
   */
  public static FileSpec named(String fileName, long sizeBytes) {
    Objects.requireNonNull(fileName, "fileName");
    int dot = fileName.lastIndexOf('.');
    int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    return new FileSpec(sizeBytes, dot > slash + 1 ? fileName.substring(dot + 1) : "");
  }
}
