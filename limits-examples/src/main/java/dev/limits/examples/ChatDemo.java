package dev.limits.examples;

import dev.limits.Decision;
import dev.limits.Denial;
import dev.limits.PeriodClock;
import dev.limits.QuotaUsage;
import dev.limits.examples.ChatBackend.Account;
import dev.limits.examples.ChatBackend.Exchange;
import dev.limits.plans.AiCall;
import dev.limits.plans.AiGate;
import dev.limits.plans.CodeRedemption;
import dev.limits.plans.DiscountCode;
import dev.limits.plans.FileSpec;
import dev.limits.plans.Plan;
import dev.limits.plans.PlanMetrics;
import dev.limits.plans.UpgradeCheck;
import dev.limits.spi.UsageCounter;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import java.util.stream.Collectors;

/**
 * A simulated AI-chat backend enforcing plans through {@link AiGate}: three users on a free plan, a pro plan
 * counting weeks from Saturday, and an expired pro plan send messages, generate images and upload files while
 * the clock moves across an hour, a day and the first of a month (Sunday 1 March 2026) and a Monday, in
 * Asia/Tehran. Then a discount code is redeemed and raced for, upgrades are checked, two members of an
 * organisation draw on its shared token pool until it refuses one of them, and each user's usage is printed. Every request prints its status, what is left or why it was denied (in Persian and English), and when
 * the limit resets.
 */
public final class ChatDemo {

  static final Locale FA = Locale.forLanguageTag("fa");
  static final Locale EN = Locale.ENGLISH;
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm", EN);
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", EN);
  private static final String ROW = "%-5s %-5s %-4s %-30s %3d  %s%n";
  private static final String INDENT = "                 ";

  /**
   * One request of the transcript and what was counted for it: {@code kind} is chat, image, upload, code or
   * upgrade; {@code item} the model, the discount code or the target plan.
   */
  record Step(Instant at, String user, String kind, @Nullable String item, @Nullable String chat, int status, String rule,
      long tokens, long costMicros, boolean image, int files) {
    boolean granted() {
      return status == 200;
    }
  }

  /** One row of the final usage table, as printed. */
  record Row(String user, String quota, long used, long limit, long remaining, String resets) {}

  /** What the demo did: every step, the final usage table, and when it ended. */
  record Result(List<Step> steps, List<Row> table, Instant end) {}

  /** A file offered for upload, with its name for the transcript. */
  record DemoFile(String name, long bytes) {}

  private final AtomicReference<Instant> now = new AtomicReference<>();
  private final PrintStream out;
  private final ChatBackend backend;
  private final List<Step> steps = new ArrayList<>();

  private ChatDemo(UsageCounter counter, PrintStream out) {
    this.out = out;
    PeriodClock clock = this::now;
    this.backend = new ChatBackend(counter, clock);
  }

  public static void main(String[] args) throws Exception {
    run(ChatBackend.newCounter(), System.out);
  }

  /** Runs the whole demo on {@code counter}, printing the transcript to {@code out}. */
  static Result run(UsageCounter counter, PrintStream out) throws InterruptedException, ExecutionException {
    return new ChatDemo(counter, out).script();
  }

  private Result script() throws InterruptedException, ExecutionException {
    out.println("limits demo: an AI-chat backend, every request checked by AiGate, counters in embedded H2"
        + " (times in Asia/Tehran)");
    out.println("  ali   free  3 messages/hour, 3,000 paid tokens/day, free pool 2,000 tokens/month,");
    out.println("              images 2/3/20 a day/week/month, 2 files/day, 5 per chat, <= 5 MB, pdf png jpg txt");
    out.println("  sara  pro   weeks from Saturday; 8,000 tokens/day, $0.10/month, images 2/4/40, 3 files/chat");
    out.println("  reza  pro   subscription ended Fri 20 Feb 2026");
    out.println("  nima, leila  pro, members of the studio: 6,000 paid tokens a day shared");

    section("Saturday 28 Feb 2026, 09:00: an hour of chat");
    at("2026-02-28T09:00");
    chat("ali", ChatBackend.MINI, 600);
    at("2026-02-28T09:05");
    chat("reza", ChatBackend.GPT, 800);
    at("2026-02-28T09:10");
    chat("ali", ChatBackend.CLAUDE, 500);
    at("2026-02-28T09:15");
    chat("ali", ChatBackend.LLAMA, 900);
    at("2026-02-28T09:20");
    chat("ali", ChatBackend.MINI, 600);
    at("2026-02-28T09:25");
    chat("ali", ChatBackend.MINI, 600);
    at("2026-02-28T09:30");
    chat("sara", ChatBackend.GPT, 3_000);
    chat("sara", ChatBackend.CLAUDE, 2_500);
    at("2026-02-28T09:40");
    image("sara");
    image("sara");
    at("2026-02-28T09:50");
    chat("sara", ChatBackend.GPT, 2_000);

    section("Saturday 28 Feb, 10:00: a new hour; images and uploads");
    at("2026-02-28T10:00");
    chat("ali", ChatBackend.LLAMA, 1_000);
    at("2026-02-28T10:05");
    chat("ali", ChatBackend.LLAMA, 1_000);
    at("2026-02-28T10:10");
    image("ali");
    at("2026-02-28T10:15");
    image("ali");
    at("2026-02-28T10:20");
    image("ali");
    at("2026-02-28T10:30");
    upload("ali", "homework", new DemoFile("lecture.pdf", 6_200_000));
    upload("ali", "homework", new DemoFile("setup.exe", 40_000));
    at("2026-02-28T10:40");
    upload("ali", "homework", new DemoFile("notes.pdf", 180_000), new DemoFile("photo.png", 1_400_000));
    at("2026-02-28T10:45");
    upload("ali", "homework", new DemoFile("cv.pdf", 90_000));
    at("2026-02-28T10:50");
    upload("sara", "thesis", new DemoFile("ch1.pdf", 800_000), new DemoFile("ch2.pdf", 900_000));
    at("2026-02-28T10:55");
    upload("sara", "thesis", new DemoFile("ch3.docx", 700_000), new DemoFile("ch4.docx", 650_000));

    section("Sunday 1 Mar 2026, 09:00: a new day and a new month");
    at("2026-03-01T09:00");
    chat("ali", ChatBackend.LLAMA, 1_000);
    image("ali");
    at("2026-03-01T09:10");
    image("ali");
    at("2026-03-01T09:20");
    chat("sara", ChatBackend.GPT, 2_000);
    chat("sara", ChatBackend.MINI, 4_000);
    image("sara");
    image("sara");
    at("2026-03-01T09:30");
    chat("sara", ChatBackend.MINI, 3_000);

    section("Monday 2 Mar 2026, 09:00: a new week for ali (Monday weeks), not for sara (Saturday weeks)");
    at("2026-03-02T09:00");
    image("ali");
    image("sara");

    section("Monday 2 Mar, 09:30: discount codes (NOWRUZ: 3 uses, 1 per user; YALDA expired 22 Dec 2025)");
    at("2026-03-02T09:30");
    DiscountCode nowruz = DiscountCode.of("NOWRUZ").withMaxUses(3).withMaxUsesPerUser(1)
        .withExpiry(Instant.parse("2026-03-21T00:00:00Z"));
    redeem("ali", nowruz);
    redeem("ali", nowruz);
    race(nowruz, 6);
    redeem("reza", DiscountCode.of("YALDA").withExpiry(Instant.parse("2025-12-22T00:00:00Z")));

    section("Monday 2 Mar, 09:40: upgrade checks (the business plan is no longer offered)");
    at("2026-03-02T09:40");
    upgrade("reza", ChatBackend.proPlan(), "pro");
    upgrade("ali", ChatBackend.proPlan(), "pro");
    upgrade("sara", ChatBackend.businessPlan(), "business");

    section("Monday 2 Mar, 09:45: nima and leila (pro) share the studio's 6,000 paid tokens a day");
    at("2026-03-02T09:45");
    chat("nima", ChatBackend.GPT, 4_000);
    at("2026-03-02T09:50");
    chat("leila", ChatBackend.GPT, 3_000);

    section("Usage on Monday 2 Mar, 09:50");
    List<Row> table = new ArrayList<>();
    table("ali", "homework", table);
    table("sara", "thesis", table);
    table("reza", null, table);
    return new Result(List.copyOf(steps), List.copyOf(table), now());
  }

  // --- requests

  private void chat(String user, String model, long estimate) {
    AiCall call = AiCall.message(model).estimatedTokens(estimate)
        .estimatedCost(ChatBackend.price(model, estimate, false));
    request(user, call, "chat " + shortName(model) + " ~" + String.format("%,d", estimate), new DemoFile[0]);
  }

  private void image(String user) {
    AiCall call = AiCall.message(ChatBackend.DALLE).generateImage().estimatedCost(ChatBackend.IMAGE_PRICE);
    request(user, call, "image " + shortName(ChatBackend.DALLE), new DemoFile[0]);
  }

  private void upload(String user, String chat, DemoFile... files) {
    AiCall call = AiCall.upload().chat(chat);
    List<String> names = new ArrayList<>();
    for (DemoFile f : files) {
      call = call.file(FileSpec.named(f.name(), f.bytes()));
      names.add(f.name() + (f.bytes() >= 2_000_000 ? " " + size(f.bytes()) : ""));
    }
    request(user, call, "upload " + String.join(", ", names), files);
  }

  private void request(String user, AiCall call, String what, DemoFile[] files) {
    Account account = backend.account(user).orElseThrow();
    Exchange x = backend.send(user, account, call);
    String kind = !call.isMessage() ? "upload" : call.generatesImage() ? "image" : "chat";
    Decision d = x.permit().decision();
    steps.add(new Step(now(), user, kind, call.model(), call.chat(), x.status(),
        d.denial().map(Denial::ruleId).orElse(""), x.tokens(), PlanMetrics.COST.amountOf(x.cost()),
        x.imageSaved(), files.length));
    String time = HOUR.format(local(now()));
    if (!x.permit().isGranted()) {
      denied(time, user, account.label(), what, d);
      return;
    }
    String used = !call.isMessage() ? files.length + (files.length == 1 ? " file" : " files")
        : call.generatesImage() ? "saved $" + money(x.cost())
        : account.plan().isFree(call.model()) ? String.format("%,d tok free", x.tokens())
        : String.format("%,d tok $%s", x.tokens(), money(x.cost()));
    String left = backend.tightest(account, x).map(u -> String.format("  %s %s/%s left, %s", u.quota().id(),
        u.quota().metric().format(u.remaining()), u.quota().metric().format(u.limit()),
        u.resetsAt().map(t -> "resets " + WHEN.format(local(t))).orElse("never resets"))).orElse("");
    out.printf(ROW, time, user, account.label(), what, 200, used + left);
  }

  private void denied(String time, String user, String label, String what, Decision d) {
    denied(time, user, label, what, d, d.denial().orElseThrow().ruleId());
  }

  private void denied(String time, String user, String label, String what, Decision d, String rule) {
    Denial denial = d.denial().orElseThrow();
    String reset = d.httpStatus() != 429 ? ""
        : denial.resetTime().map(t -> "  resets " + WHEN.format(local(t))).orElse("  never resets");
    out.printf(ROW, time, user, label, what, d.httpStatus(), rule + reset);
    messages(d.message(FA).orElseThrow(), d.message(EN).orElseThrow());
  }

  private void messages(String fa, String en) {
    out.println(INDENT + "fa: " + fa);
    out.println(INDENT + "en: " + en);
  }

  // --- discount codes and upgrades

  private void redeem(String user, DiscountCode code) {
    Decision d = redeemNow(user, code);
    steps.add(new Step(now(), user, "code", code.code(), null, d.httpStatus(),
        d.denial().map(Denial::ruleId).orElse(""), 0, 0, false, 0));
    String time = HOUR.format(local(now()));
    String label = backend.account(user).map(Account::label).orElse("-");
    if (d.isAllowed()) {
      out.printf(ROW, time, user, label, "redeem " + code.code(), 200, "granted, discount applied");
    } else {
      // A code's expiry is its validity window, so the core reports it as the "subscription" rule.
      String rule = d.denial().orElseThrow().ruleId();
      denied(time, user, label, "redeem " + code.code(), d, rule.equals("subscription") ? "code expired" : rule);
    }
  }

  private Decision redeemNow(String user, DiscountCode code) {
    try (CodeRedemption r = backend.gate().redeem(user, code)) {
      if (r.isGranted()) {
        r.commit();
      }
      return r.decision();
    }
  }

  /** {@code racers} new users redeem {@code code} at the same instant, from as many threads. */
  private void race(DiscountCode code, int racers) throws InterruptedException, ExecutionException {
    long granted = steps.stream().filter(s -> code.code().equals(s.item()) && s.granted()).count();
    long usesLeft = code.maxUses().max() - granted;
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    List<Decision> decisions = new ArrayList<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Decision>> futures = new ArrayList<>();
      for (int i = 1; i <= racers; i++) {
        String user = "racer" + i;
        futures.add(pool.submit(() -> {
          start.await();
          return redeemNow(user, code);
        }));
      }
      start.countDown();
      for (int i = 0; i < racers; i++) {
        Decision d = futures.get(i).get();
        decisions.add(d);
        steps.add(new Step(now(), "racer" + (i + 1), "code", code.code(), null, d.httpStatus(),
            d.denial().map(Denial::ruleId).orElse(""), 0, 0, false, 0));
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    Map<String, Long> byOutcome = decisions.stream().collect(Collectors.groupingBy(
        d -> d.httpStatus() + d.denial().map(x -> " " + x.ruleId()).orElse(""), TreeMap::new, Collectors.counting()));
    out.printf("%-5s %d new users race for the %d uses left: %s%n", HOUR.format(local(now())), racers, usesLeft,
        byOutcome.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining(", ")));
    decisions.stream().filter(d -> !d.isAllowed()).findFirst()
        .ifPresent(d -> messages(d.message(FA).orElseThrow(), d.message(EN).orElseThrow()));
  }

  private void upgrade(String user, Plan target, String targetLabel) {
    Account account = backend.account(user).orElseThrow();
    UpgradeCheck c = backend.gate(account).checkUpgrade(account.plan(), target);
    steps.add(new Step(now(), user, "upgrade", target.name(), null, c.httpStatus(), c.reason(), 0, 0, false, 0));
    out.printf(ROW, HOUR.format(local(now())), user, account.label(), "upgrade to " + targetLabel,
        c.httpStatus(), c.eligible() ? "eligible" : c.reason());
    if (!c.eligible()) {
      messages(c.message(FA), c.message(EN));
    }
  }

  // --- usage table

  private Instant now() {
    return Objects.requireNonNull(now.get(), "the demo clock is set before any request");
  }

  private void table(String user, @Nullable String chat, List<Row> rows) {
    Account account = backend.account(user).orElseThrow();
    out.printf("%-34s %12s %12s %12s  %s%n", user + " (" + account.label() + ", weeks from "
        + account.weekStart().getDisplayName(java.time.format.TextStyle.FULL, EN) + ")", "used", "limit", "left",
        "resets");
    for (QuotaUsage u : backend.usage(account, chat)) {
      String resets = u.resetsAt().map(t -> WHEN.format(local(t))).orElse("never");
      String quota = u.quota().id() + (u.quota().id().equals("files-chat") ? " (" + chat + ")" : "");
      out.printf("  %-32s %12s %12s %12s  %s%n", quota, u.quota().metric().format(u.used()),
          u.quota().metric().format(u.limit()), u.quota().metric().format(u.remaining()), resets);
      rows.add(new Row(user, u.quota().id(), u.used(), u.limit(), u.remaining(), resets));
    }
  }

  // --- helpers

  private void section(String title) {
    out.println();
    out.println("== " + title + " ==");
  }

  private void at(String tehranTime) {
    now.set(LocalDateTime.parse(tehranTime).atZone(ChatBackend.TEHRAN).toInstant());
  }

  private static LocalDateTime local(Instant t) {
    return LocalDateTime.ofInstant(t, ChatBackend.TEHRAN);
  }

  private static String shortName(String model) {
    return model.substring(model.indexOf('/') + 1);
  }

  private static String size(long bytes) {
    return String.format(Locale.ROOT, "%.1fMB", bytes / 1e6);
  }

  private static String money(BigDecimal usd) {
    return usd.stripTrailingZeros().toPlainString();
  }
}
