package dev.limits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.limits.examples.ChatBackend.Account;
import dev.limits.examples.ChatDemo.Result;
import dev.limits.examples.ChatDemo.Row;
import dev.limits.examples.ChatDemo.Step;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole demo, captures its transcript, and checks that every kind of limitation of the seeds denied
 * at least once, with the status the seeds give it, and that the final usage table is what the transcript's
 * granted requests add up to.
 */
class ChatDemoTest {

  private static final Pattern REQUEST =
      Pattern.compile("^(\\d\\d:\\d\\d) (\\S+)\\s+(\\S+)\\s+(.*?)\\s+(200|403|429)  (.*)$");
  private static final Pattern RACE =
      Pattern.compile("^\\d\\d:\\d\\d (\\d+) new users race for the (\\d+) uses left: (.*)$");
  private static final Pattern TABLE_HEAD =
      Pattern.compile("^(\\S+) \\((\\S+), weeks from (\\w+)\\)\\s+used\\s+limit\\s+left\\s+resets$");
  private static final String VALUE = "(\\d[\\d.]*(?: USD)?)";
  private static final Pattern TABLE_ROW = Pattern.compile(
      "^  (\\S+)(?: \\((\\S+)\\))?\\s+" + VALUE + "\\s+" + VALUE + "\\s+" + VALUE + "  (.+)$");

  static Result result;
  static List<String> lines;
  /** Every denial printed, as "status rule", with the user; the race contributes its own. */
  static List<String> denials = new ArrayList<>();

  @BeforeAll
  static void runTheDemo() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      result = ChatDemo.run(ChatBackend.newCounter(), out);
    }
    lines = bytes.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = REQUEST.matcher(lines.get(i));
      if (m.matches() && !m.group(5).equals("200")) {
        denials.add(m.group(5) + " " + m.group(6).split("  ")[0]);
      }
      Matcher race = RACE.matcher(lines.get(i));
      if (race.matches()) {
        for (String part : race.group(3).split(", ")) {
          String[] p = part.split(" x ", 2);
          if (!p[1].startsWith("200")) {
            denials.add(p[1]);
          }
        }
      }
    }
  }

  @Test
  void everyKindOfLimitationDeniesAtLeastOnceWithItsStatus() {
    assertThat(denials).contains(
        "403 subscription",          // subscription inactive (reza's ended on 20 Feb)
        "403 model",                 // model access
        "429 images-day",            // images, counted per day ...
        "429 images-week",           // ... and per week (Monday weeks for ali, Saturday weeks for sara)
        "429 messages-hour",         // messages
        "429 tokens-day",            // paid-model tokens
        "429 free-tokens-month",     // the free-model pool
        "429 cost-month",            // the cost budget
        "429 files-day",             // file count
        "403 file-size",             // file size
        "403 file-extension",        // file extension
        "429 files-chat",            // files per chat session
        "429 org-tokens-day",        // an organisation's shared pool (leila's own plan allows the call)
        "429 code-uses",             // discount code: total uses (the race)
        "429 code-uses-per-user",    // discount code: uses per user
        "403 code expired",          // discount code: expiry
        "403 no-active-subscription", // upgrade: not eligible without an active subscription
        "403 target-not-offered");   // upgrade: the target plan is not offered
    assertThat(denials).anyMatch(d -> d.startsWith("403 ")).anyMatch(d -> d.startsWith("429 "));
  }

  @Test
  void theTranscriptAgreesWithWhatTheGateDecided() {
    List<String> fromSteps = result.steps().stream().filter(s -> !s.granted() && !s.user().startsWith("racer"))
        .map(s -> s.status() + " " + (s.kind().equals("code") && s.rule().equals("subscription") ? "code expired"
            : s.rule()))
        .collect(Collectors.toList());
    List<String> printed = denials.stream().filter(d -> !d.equals("429 code-uses")).collect(Collectors.toList());
    assertThat(printed).containsExactlyElementsOf(fromSteps);
    List<Step> racers = result.steps().stream().filter(s -> s.user().startsWith("racer")).collect(Collectors.toList());
    assertThat(racers).hasSize(6);
    assertThat(racers.stream().filter(Step::granted)).as("exactly the 2 uses left are won").hasSize(2);
    assertThat(racers.stream().filter(s -> !s.granted())).allSatisfy(s -> {
      assertThat(s.status()).isEqualTo(429);
      assertThat(s.rule()).isEqualTo("code-uses");
    });
    assertThat(lines).anyMatch(l -> l.endsWith("6 new users race for the 2 uses left: 2 x 200, 4 x 429 code-uses"));
  }

  @Test
  void everyDenialIsExplainedInPersianAndEnglish() {
    int explained = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = REQUEST.matcher(lines.get(i));
      if ((m.matches() && !m.group(5).equals("200")) || RACE.matcher(lines.get(i)).matches()) {
        String fa = lines.get(i + 1).trim();
        String en = lines.get(i + 2).trim();
        assertThat(fa).as("after " + lines.get(i)).startsWith("fa: ").matches("fa: .*[\\u0600-\\u06FF].*");
        assertThat(en).as("after " + lines.get(i)).startsWith("en: ").matches("en: [\\x20-\\x7E]+");
        explained++;
      }
    }
    assertThat(explained).as("the race prints one message for its denials").isEqualTo(denials.size());
    assertThat(lines).contains(
        "                 fa: شما به حد مجاز پیام\u200cهای ساعتی (3 عدد) رسیده\u200cاید",
        "                 en: You have reached your hourly message limit (3).",
        "                 fa: توکن رایگان شما برای مدل رایگان تمام شده است",
        "                 fa: دسترسی به این مدل دیگر برای اشتراک شما فعال نیست");
  }

  @Test
  void quotaDenialsSayWhenTheyResetAndGrantedRequestsWhatIsLeft() {
    assertThat(lines).anyMatch(l -> l.matches("09:25 ali .* 429  messages-hour  resets Sat 28 Feb 10:00"));
    assertThat(lines).anyMatch(l -> l.matches("10:05 ali .* 429  free-tokens-month  resets Sun 1 Mar 00:00"));
    assertThat(lines).as("sara's weeks start on Saturday")
        .anyMatch(l -> l.matches("09:00 sara .* 429  images-week  resets Sat 7 Mar 00:00"));
    assertThat(lines).as("ali's weeks start on Monday")
        .anyMatch(l -> l.matches("09:10 ali .* 429  images-week  resets Mon 2 Mar 00:00"));
    assertThat(lines).anyMatch(l -> l.matches("10:55 sara .* 429  files-chat  never resets"));
    assertThat(lines).anyMatch(l -> l.matches("09:20 ali .* 200  .* messages-hour 0/3 left, resets Sat 28 Feb 10:00"));
  }

  @Test
  void theUsageTableIsWhatTheGrantedRequestsAddUpTo() {
    List<Row> printed = new ArrayList<>();
    String user = null;
    for (String line : lines.subList(lines.indexOf("== Usage on Monday 2 Mar, 09:50 =="), lines.size())) {
      Matcher head = TABLE_HEAD.matcher(line);
      Matcher row = TABLE_ROW.matcher(line);
      if (head.matches()) {
        user = head.group(1);
      } else if (row.matches()) {
        printed.add(new Row(user, row.group(1), amount(row.group(3)), amount(row.group(4)), amount(row.group(5)),
            row.group(6)));
      }
    }
    assertThat(printed).as("the printed table is the usage the gate reported").isEqualTo(result.table());
    Set<String> users = printed.stream().map(Row::user).collect(Collectors.toCollection(LinkedHashSet::new));
    assertThat(users).containsExactly("ali", "sara", "reza");

    Map<String, Account> accounts = ChatBackend.accounts();
    Map<String, String> chats = Map.of("ali", "homework", "sara", "thesis");
    for (Row r : result.table()) {
      long expected = counted(accounts.get(r.user()), chats.get(r.user()), r.quota(), result.end());
      assertThat(r.used()).as(r.user() + " " + r.quota()).isEqualTo(expected);
      assertThat(r.remaining()).as(r.user() + " " + r.quota()).isEqualTo(Math.max(0, r.limit() - r.used()));
    }
    assertThat(result.table()).as("a denied request counts nothing").filteredOn(r -> r.user().equals("reza"))
        .isNotEmpty().allSatisfy(r -> assertThat(r.used()).isZero());
    assertThat(result.table()).filteredOn(r -> r.user().equals("sara") && r.quota().equals("images-week"))
        .singleElement().satisfies(r -> assertThat(r.used()).as("Sat 28 Feb to Fri 6 Mar").isEqualTo(4));
    assertThat(result.table()).filteredOn(r -> r.user().equals("ali") && r.quota().equals("images-week"))
        .singleElement().satisfies(r -> assertThat(r.used()).as("from Mon 2 Mar").isEqualTo(1));
    assertThat(result.table()).filteredOn(r -> r.user().equals("sara") && r.quota().equals("cost-month"))
        .singleElement().satisfies(r -> assertThat(r.used()).as("March: two chats and two images").isEqualTo(40_896));
  }

  @Test
  void theTranscriptStaysShort() {
    assertThat(lines.size()).isBetween(60, 150);
  }

  /** What the transcript's granted requests add up to in the current window of {@code quota}. */
  private static long counted(Account account, String chat, String quota, Instant end) {
    ZonedDateTime at = end.atZone(ChatBackend.TEHRAN);
    LocalDate today = at.toLocalDate();
    Instant from;
    if (quota.endsWith("-hour")) {
      from = at.truncatedTo(ChronoUnit.HOURS).toInstant();
    } else if (quota.endsWith("-day")) {
      from = today.atStartOfDay(ChatBackend.TEHRAN).toInstant();
    } else if (quota.endsWith("-week")) {
      DayOfWeek first = account.weekStart();
      from = today.with(TemporalAdjusters.previousOrSame(first)).atStartOfDay(ChatBackend.TEHRAN).toInstant();
    } else if (quota.endsWith("-month")) {
      from = today.withDayOfMonth(1).atStartOfDay(ChatBackend.TEHRAN).toInstant();
    } else {
      assertThat(quota).isEqualTo("files-chat");
      from = Instant.EPOCH;
    }
    Predicate<Step> mine = s -> s.user().equals(account.user()) && s.granted() && !s.at().isBefore(from)
        && !s.at().isAfter(end);
    List<Step> steps = result.steps().stream().filter(mine).collect(Collectors.toList());
    String metric = quota.substring(0, quota.lastIndexOf('-'));
    switch (metric) {
      case "images":
        return steps.stream().filter(s -> s.kind().equals("image") && s.image()).count();
      case "messages":
        return steps.stream().filter(s -> s.kind().equals("chat") || s.kind().equals("image")).count();
      case "tokens":
        return steps.stream().filter(s -> s.item() != null && isMessage(s) && !account.plan().isFree(s.item()))
            .mapToLong(Step::tokens).sum();
      case "free-tokens":
        return steps.stream().filter(s -> isMessage(s) && account.plan().isFree(s.item()))
            .mapToLong(Step::tokens).sum();
      case "cost":
        return steps.stream().filter(ChatDemoTest::isMessage).mapToLong(Step::costMicros).sum();
      case "files":
        return steps.stream().filter(s -> s.kind().equals("upload") && (!quota.equals("files-chat")
            || chat.equals(s.chat()))).mapToLong(Step::files).sum();
      default:
        throw new AssertionError("unexpected quota " + quota);
    }
  }

  private static boolean isMessage(Step s) {
    return s.kind().equals("chat") || s.kind().equals("image");
  }

  private static long amount(String printed) {
    return printed.endsWith(" USD")
        ? new BigDecimal(printed.substring(0, printed.length() - 4)).movePointRight(6).longValueExact()
        : Long.parseLong(printed);
  }

  @Test
  void theClockCrossedAnHourADayTheFirstOfAMonthAndAMonday() {
    Set<LocalDateTime> times = result.steps().stream().map(s -> LocalDateTime.ofInstant(s.at(), ChatBackend.TEHRAN))
        .collect(Collectors.toSet());
    assertThat(times).anyMatch(t -> t.equals(LocalDateTime.parse("2026-02-28T09:00")))
        .anyMatch(t -> t.equals(LocalDateTime.parse("2026-02-28T10:00")))
        .anyMatch(t -> t.toLocalDate().equals(LocalDate.parse("2026-03-01")))
        .anyMatch(t -> t.getDayOfWeek() == DayOfWeek.MONDAY);
  }
}
