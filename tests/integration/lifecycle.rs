//! The four lifecycles of the AWS Managed Spot Training guide (reference §2), reproduced
//! exactly, and time/money conservation on hand-computed `windows` scenarios.
//!
//! All four `scenarios/aws-guide-*` share one job: provisioning, download and upload of 300 s,
//! 4 h of training with a checkpoint every hour (60 s write, 120 s restore), stopping 30 s,
//! MaxRuntime = MaxWait = 8 h, spot at 30 % of the $3.825 on-demand price.

use crate::common::{load, parse, scenario_path};
use spotsim::Simulator;
use spotsim::engine::Timeline;
use spotsim::report::describe::DescribeTrainingJob;
use spotsim::sagemaker::SecondaryStatus::{self, *};
use spotsim::{Engine, Outcome, Scenario, TrialOutcome};

const SPOT_PER_HOUR: f64 = 1.1475;
const ON_DEMAND_PER_HOUR: f64 = 3.825;

fn run(scenario: &Scenario) -> (TrialOutcome, Timeline) {
    Engine::new(scenario).run_with_timeline(0)
}

fn statuses(timeline: &Timeline) -> Vec<SecondaryStatus> {
    timeline.transitions.iter().map(|t| t.status).collect()
}

/// Times (seconds since CreationTime) at which each status was entered.
fn starts(timeline: &Timeline) -> Vec<f64> {
    timeline
        .transitions
        .iter()
        .map(|t| t.start_seconds)
        .collect()
}

/// Checks the invariants every timeline must satisfy, and conservation of time.
fn check_invariants(outcome: &TrialOutcome, timeline: &Timeline) {
    let t = &timeline.transitions;
    for pair in t.windows(2) {
        assert_eq!(pair[0].end_seconds, pair[1].start_seconds, "contiguous");
        assert!(pair[0].start_seconds <= pair[0].end_seconds);
    }
    let last = t.last().expect("non-empty timeline");
    assert_eq!(
        last.start_seconds, last.end_seconds,
        "terminal entry has StartTime == EndTime"
    );
    assert!(last.status.is_terminal());
    assert_eq!(t[0].start_seconds, 0.0);
    assert_eq!(last.end_seconds, outcome.wall_clock_seconds);
    // Time conservation: the statuses partition the wall clock; held time is exactly
    // Downloading + Training + Uploading.
    let total: f64 = t.iter().map(|e| e.end_seconds - e.start_seconds).sum();
    assert_eq!(total, outcome.wall_clock_seconds);
    let held = timeline.seconds_in(Downloading)
        + timeline.seconds_in(Training)
        + timeline.seconds_in(Uploading);
    assert_eq!(held, outcome.training_time_seconds);
    // Interrupted entries are instantaneous and always followed by Starting (or Pending).
    for pair in t.windows(2) {
        if pair[0].status == Interrupted {
            assert_eq!(pair[0].start_seconds, pair[0].end_seconds);
            assert!(matches!(pair[1].status, Starting | Pending));
        }
    }
}

/// Money conservation: cost = held seconds × price × instances / 3600, billable = held × ratio.
fn check_money(outcome: &TrialOutcome, price_per_hour: f64, instances: f64) {
    let expected = outcome.training_time_seconds * price_per_hour * instances / 3600.0;
    assert!(
        (outcome.cost_usd - expected).abs() < 1e-9,
        "{} vs {expected}",
        outcome.cost_usd
    );
    let ratio = price_per_hour / ON_DEMAND_PER_HOUR;
    assert!((outcome.billable_time_seconds - outcome.training_time_seconds * ratio).abs() < 1e-6);
}

#[test]
fn case_1_no_interruption() {
    let scenario = load("aws-guide-no-interruption.toml");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(
        statuses(&timeline),
        [Starting, Downloading, Training, Uploading, Completed]
    );
    // Training: 4 h of work + 3 checkpoint writes (none after the last hour) = 14,580 s.
    assert_eq!(starts(&timeline), [0.0, 300.0, 600.0, 15_180.0, 15_480.0]);
    assert_eq!(outcome.outcome, Outcome::Completed);
    assert_eq!(outcome.training_time_in_seconds(), Some(15_180));
    assert_eq!(outcome.billable_time_in_seconds(), Some(4554)); // 15,180 × 0.3
    assert_eq!(outcome.savings_percent(), Some(70.0));
    assert_eq!(outcome.interruptions, 0);
    assert_eq!(outcome.checkpoints_written, 3);
    check_money(&outcome, SPOT_PER_HOUR, 1.0);
    assert!((outcome.cost_usd - 15_180.0 * 1.1475 / 3600.0).abs() < 1e-12);
}

#[test]
fn case_2_one_interruption() {
    let scenario = load("aws-guide-one-interruption.toml");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(
        statuses(&timeline),
        [
            Starting,
            Downloading,
            Training,
            Interrupted,
            Starting,
            Downloading,
            Training,
            Uploading,
            Completed
        ]
    );
    // Interrupted at 2 h = 7,200 s: training began at 600 s, so 6,600 s into Training = one
    // full cycle (3,600 s + 60 s write) and 2,940 s of the second hour, which is lost.
    // Capacity returns at 9,000 s; provisioning to 9,300; download + restore to 9,720; the
    // remaining 3 h with 2 writes end at 20,640; upload ends at 20,940.
    assert_eq!(
        starts(&timeline),
        [
            0.0, 300.0, 600.0, 7200.0, 7200.0, 9300.0, 9720.0, 20_640.0, 20_940.0
        ]
    );
    assert_eq!(outcome.lost_training_seconds, 2940.0);
    assert_eq!(outcome.interruptions, 1);
    // Held: 6,900 s in the first attempt, 11,640 s in the second.
    assert_eq!(outcome.training_time_in_seconds(), Some(18_540));
    assert_eq!(outcome.billable_time_in_seconds(), Some(5562));
    assert_eq!(outcome.savings_percent(), Some(70.0));
    assert_eq!(outcome.capacity_wait_seconds, 1800.0);
    check_money(&outcome, SPOT_PER_HOUR, 1.0);
}

#[test]
fn case_3_two_interruptions_then_max_wait() {
    let scenario = load("aws-guide-two-interruptions-max-wait.toml");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(
        statuses(&timeline),
        [
            Starting,
            Downloading,
            Training,
            Interrupted,
            Starting,
            Downloading,
            Training,
            Interrupted,
            Starting,
            Downloading,
            Training,
            Stopping,
            MaxWaitTimeExceeded
        ]
    );
    // Second attempt: Training from 9,720 s, interrupted at 5 h = 18,000 s, 8,280 s in: two
    // cycles (7,320 s) done, 960 s of the third hour lost. Third attempt: capacity at 7 h,
    // Training from 25,920 s, and MaxWait (8 h = 28,800 s) arrives during it; Stopping takes 30 s.
    assert_eq!(
        starts(&timeline),
        [
            0.0, 300.0, 600.0, 7200.0, 7200.0, 9300.0, 9720.0, 18_000.0, 18_000.0, 25_500.0,
            25_920.0, 28_800.0, 28_830.0
        ]
    );
    assert_eq!(outcome.outcome, Outcome::MaxWaitTimeExceeded);
    assert_eq!(outcome.interruptions, 2);
    assert_eq!(outcome.lost_training_seconds, 2940.0 + 960.0);
    assert_eq!(outcome.progress_seconds, 3.0 * 3600.0);
    // Held: 6,900 + 8,700 + 3,300 s.
    assert_eq!(outcome.training_time_in_seconds(), Some(18_900));
    assert_eq!(outcome.billable_time_in_seconds(), Some(5670));
    check_money(&outcome, SPOT_PER_HOUR, 1.0);
}

#[test]
fn case_4_capacity_never_acquired() {
    let scenario = load("aws-guide-no-capacity.toml");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(
        statuses(&timeline),
        [Starting, Stopping, MaxWaitTimeExceeded]
    );
    assert_eq!(starts(&timeline), [0.0, 28_800.0, 28_830.0]);
    assert_eq!(outcome.training_time_in_seconds(), None);
    assert_eq!(outcome.billable_time_in_seconds(), None);
    assert_eq!(outcome.cost_usd, 0.0);
    assert_eq!(outcome.training_start_seconds, None);
}

#[test]
fn primary_status_grouping_in_describe_output() {
    for (file, primary, secondary) in [
        ("aws-guide-no-interruption.toml", "Completed", "Completed"),
        ("aws-guide-one-interruption.toml", "Completed", "Completed"),
        (
            "aws-guide-two-interruptions-max-wait.toml",
            "Stopped",
            "MaxWaitTimeExceeded",
        ),
        (
            "aws-guide-no-capacity.toml",
            "Stopped",
            "MaxWaitTimeExceeded",
        ),
    ] {
        let scenario = Scenario::load(&scenario_path(file)).unwrap();
        let (outcome, timeline) = run(&scenario);
        let describe = DescribeTrainingJob::new(&scenario, 0, &outcome, &timeline);
        assert_eq!(describe.training_job_status, primary, "{file}");
        assert_eq!(describe.secondary_status, secondary, "{file}");
        let entries = &describe.secondary_status_transitions;
        for pair in entries.windows(2) {
            assert_eq!(pair[0].end_time, pair[1].start_time, "{file}");
        }
        assert_eq!(entries[0].start_time, "2026-01-01T00:00:00.000Z");
        assert_eq!(describe.creation_time, "2026-01-01T00:00:00.000Z");
        assert_eq!(describe.training_end_time, entries.last().unwrap().end_time);
        // Each secondary status belongs to its documented primary status (reference §1).
        for entry in entries {
            let status = timeline
                .transitions
                .iter()
                .find(|t| t.status.as_str() == entry.status)
                .unwrap()
                .status;
            let expected = match entry.status {
                "Starting" | "Downloading" | "Training" | "Interrupted" | "Uploading" => {
                    "InProgress"
                }
                "Stopping" => "Stopping",
                "MaxWaitTimeExceeded" | "MaxRuntimeExceeded" => "Stopped",
                "Completed" => "Completed",
                other => panic!("unexpected status {other}"),
            };
            assert_eq!(status.primary().as_str(), expected);
        }
    }
}

fn variant(file: &str, edits: &[(&str, &str)]) -> Scenario {
    let mut text = std::fs::read_to_string(scenario_path(file)).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from} not in {file}");
        text = text.replacen(from, to, 1);
    }
    parse(&text)
}

#[test]
fn capacity_waits_can_be_shown_as_pending() {
    let scenario = variant(
        "aws-guide-one-interruption.toml",
        &[(
            "trials = 1",
            "trials = 1\nshow_capacity_wait_as = \"Pending\"",
        )],
    );
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(
        statuses(&timeline),
        [
            Starting,
            Downloading,
            Training,
            Interrupted,
            Pending,
            Starting,
            Downloading,
            Training,
            Uploading,
            Completed
        ]
    );
    // Pending covers the capacity wait (2 h → 2 h 30 m); Starting the provisioning.
    assert_eq!(timeline.transitions[4].start_seconds, 7200.0);
    assert_eq!(timeline.transitions[5].start_seconds, 9000.0);
    assert_eq!(outcome.training_time_in_seconds(), Some(18_540));
}

#[test]
fn max_runtime_counts_held_time_and_stops_the_job() {
    // Without interruptions, held time reaches 4 h at 300 + 14,400 s, during Training.
    let scenario = variant(
        "aws-guide-no-interruption.toml",
        &[("max_runtime = \"8h\"", "max_runtime = \"4h\"")],
    );
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(
        statuses(&timeline),
        [
            Starting,
            Downloading,
            Training,
            Stopping,
            MaxRuntimeExceeded
        ]
    );
    assert_eq!(starts(&timeline), [0.0, 300.0, 600.0, 14_700.0, 14_730.0]);
    assert_eq!(outcome.outcome, Outcome::MaxRuntimeExceeded);
    assert_eq!(outcome.training_time_in_seconds(), Some(14_400));
}

#[test]
fn max_runtime_is_cumulative_over_attempts() {
    // Case 2 holds 6,900 s before the interruption; with MaxRuntime = 5 h (18,000 s) the second
    // attempt may hold 11,100 s: from 9,300 s that is 20,400 s, inside its Training.
    let scenario = variant(
        "aws-guide-one-interruption.toml",
        &[("max_runtime = \"8h\"", "max_runtime = \"5h\"")],
    );
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(outcome.outcome, Outcome::MaxRuntimeExceeded);
    assert_eq!(
        timeline.transitions[timeline.transitions.len() - 2].start_seconds,
        20_400.0
    );
    assert_eq!(outcome.training_time_seconds, 18_000.0);
}

#[test]
fn max_wait_wins_a_tie_with_max_runtime() {
    // No interruption, MaxRuntime 4 h: the limit falls at 14,700 s. Put MaxWait there too.
    // MaxWait must be ≥ MaxRuntime and whole seconds: 14,700 ≥ 14,400.
    let scenario = variant(
        "aws-guide-no-interruption.toml",
        &[
            ("max_runtime = \"8h\"", "max_runtime = \"4h\""),
            ("max_wait = \"8h\"", "max_wait = 14700"),
        ],
    );
    let (outcome, _) = run(&scenario);
    assert_eq!(outcome.outcome, Outcome::MaxWaitTimeExceeded);
}

/// Case 3's job with capacity lost at 2 h and back at 3 h, and MaxRuntime = MaxWait = 5.5 h:
/// the second attempt writes two checkpoints before MaxWait stops it.
fn checkpoints_in_the_attempt_max_wait_cuts_short(policy: &str, max_runtime: &str) -> Scenario {
    variant(
        "aws-guide-two-interruptions-max-wait.toml",
        &[
            (
                "available = [[\"0s\", \"2h\"], [\"2h30m\", \"5h\"], [\"7h\", \"24h\"]]",
                "available = [[\"0s\", \"2h\"], [\"3h\", \"24h\"]]",
            ),
            (
                "max_runtime = \"8h\"",
                &format!("max_runtime = \"{max_runtime}\""),
            ),
            ("max_wait = \"8h\"", "max_wait = \"5h30m\""),
            (
                "[simulation]",
                &format!("[policy]\nname = \"{policy}\"\n\n[simulation]"),
            ),
        ],
    )
}

#[test]
fn fallback_resumes_from_checkpoints_of_the_attempt_max_wait_cut_short() {
    // Attempt 1: Training 600 s → 7,200 s, one write done at 4,260 s (3,600 s saved), 2,940 s
    // lost. Attempt 2: capacity at 10,800 s, provisioning → 11,100, download + restore →
    // 11,520; 3 h of work with writes done at 15,180 (7,200 s saved) and 18,840 (10,800 s
    // saved); MaxWait (19,800 s) stops it 960 s into the last hour; Stopping → 19,830 s.
    // The on-demand job created at 19,830 s resumes from 10,800 s: provisioning → 20,130,
    // download + restore → 20,550, the last hour (no write) → 24,150, upload → 24,450.
    // (Resuming from the first attempt's checkpoint instead would train 3 h with two writes:
    // Completed at 31,770 s for $17.34.)
    let scenario = checkpoints_in_the_attempt_max_wait_cuts_short("spot-then-on-demand", "5h30m");
    let (outcome, timeline) = run(&scenario);
    assert_eq!(
        statuses(&timeline),
        [
            Starting,
            Downloading,
            Training,
            Interrupted,
            Starting,
            Downloading,
            Training,
            Stopping,
            MaxWaitTimeExceeded,
            Starting,
            Downloading,
            Training,
            Uploading,
            Completed
        ]
    );
    assert_eq!(
        starts(&timeline),
        [
            0.0, 300.0, 600.0, 7200.0, 7200.0, 11_100.0, 11_520.0, 19_800.0, 19_830.0, 19_830.0,
            20_130.0, 20_550.0, 24_150.0, 24_450.0
        ]
    );
    assert_eq!(outcome.outcome, Outcome::Completed);
    assert_eq!(outcome.fallback_seconds, Some(19_830.0));
    assert_eq!(outcome.wall_clock_seconds, 24_450.0);
    assert_eq!(outcome.progress_seconds, 14_400.0);
    assert_eq!(outcome.checkpoints_written, 3);
    // Redone: 2,940 s after the interruption, 960 s after the MaxWait stop.
    assert_eq!(outcome.lost_training_seconds, 3900.0);
    // Held: spot 6,900 + 8,700 s, on-demand 20,130 → 24,450 = 4,320 s.
    assert_eq!(outcome.training_time_seconds, 15_600.0 + 4320.0);
    assert_eq!(outcome.training_time_in_seconds(), Some(19_920));
    // Billable: 15,600 s × 0.3 + 4,320 s.
    assert_eq!(outcome.billable_time_in_seconds(), Some(4680 + 4320));
    let spot_usd = 15_600.0 * SPOT_PER_HOUR / 3600.0; // $4.9725
    let on_demand_usd = 4320.0 * ON_DEMAND_PER_HOUR / 3600.0; // $4.59
    assert!((outcome.on_demand_cost_usd - on_demand_usd).abs() < 1e-12);
    assert!((outcome.cost_usd - (spot_usd + on_demand_usd)).abs() < 1e-12);
    assert!((outcome.cost_usd - 9.5625).abs() < 1e-12);
}

#[test]
fn a_limit_keeps_the_checkpoints_of_the_attempt_it_stops() {
    // The same path under managed spot, MaxWait stopping it at 19,800 s: both checkpoints of
    // the second attempt count (10,800 s of progress).
    let scenario = checkpoints_in_the_attempt_max_wait_cuts_short("managed-spot", "5h30m");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(outcome.outcome, Outcome::MaxWaitTimeExceeded);
    assert_eq!(outcome.progress_seconds, 10_800.0);
    assert_eq!(outcome.checkpoints_written, 3);
    assert_eq!(outcome.lost_training_seconds, 2940.0, "no job redoes it");
    // MaxRuntime 4 h: the second attempt may hold 14,400 − 6,900 = 7,500 s, so it stops at
    // 18,600 s, after the write done at 15,180 s and before the one due at 18,840 s.
    let scenario = checkpoints_in_the_attempt_max_wait_cuts_short("managed-spot", "4h");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    assert_eq!(outcome.outcome, Outcome::MaxRuntimeExceeded);
    assert_eq!(
        timeline.transitions[timeline.transitions.len() - 2].start_seconds,
        18_600.0
    );
    assert_eq!(outcome.training_time_seconds, 14_400.0);
    assert_eq!(outcome.progress_seconds, 7200.0);
    assert_eq!(outcome.checkpoints_written, 2);
}

#[test]
fn finishing_exactly_at_the_deadline_completes() {
    // Case 1 completes at 15,480 s; MaxWait = 15,480 s is "finished by" the deadline.
    let scenario = variant(
        "aws-guide-no-interruption.toml",
        &[
            ("max_runtime = \"8h\"", "max_runtime = 15480"),
            ("max_wait = \"8h\"", "max_wait = 15480"),
        ],
    );
    let (outcome, _) = run(&scenario);
    assert_eq!(outcome.outcome, Outcome::Completed);
    assert_eq!(outcome.wall_clock_seconds, 15_480.0);
}

#[test]
fn checkpoints_without_s3_are_not_durable() {
    let scenario = variant(
        "aws-guide-one-interruption.toml",
        &[(
            "checkpoint_s3_uri = \"s3://my-bucket/checkpoints/aws-guide\"\n",
            "",
        )],
    );
    let not_durable = scenario
        .warnings
        .iter()
        .filter(|w| w.contains("not durable"))
        .count();
    assert_eq!(not_durable, 1, "a warning says checkpoints are not durable");
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    // Everything trained before 7,200 s is lost (6,540 s); the restart downloads without a
    // restore (9,300 → 9,600) and trains the full 4 h again with 3 writes (→ 24,180), then uploads.
    assert_eq!(outcome.lost_training_seconds, 6540.0);
    assert_eq!(outcome.wall_clock_seconds, 24_480.0);
    assert_eq!(outcome.training_time_in_seconds(), Some(6900 + 15_180));
}

#[test]
fn emergency_checkpoint_inside_the_notice() {
    let scenario = variant(
        "aws-guide-one-interruption.toml",
        &[(
            "restore = \"2m\"",
            "restore = \"2m\"\non_notice = \"checkpoint\"",
        )],
    );
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    // Notice at 7,200 − 120 = 7,080 s, 2,820 s into the second hour: the 60 s write fits and
    // saves 6,420 s of training; the job trains 60 s more before the loss (lost: 60 s).
    // Restart: Training from 9,720 s, 7,980 s of work with 2 writes → 17,820; upload → 18,120.
    assert_eq!(outcome.lost_training_seconds, 60.0);
    assert_eq!(outcome.checkpoints_written, 2 + 2);
    assert_eq!(outcome.wall_clock_seconds, 18_120.0);
    assert_eq!(outcome.training_time_in_seconds(), Some(6900 + 8820));
}

#[test]
fn on_demand_job_is_billed_at_the_on_demand_price() {
    let text = std::fs::read_to_string(scenario_path("aws-guide-one-interruption.toml"))
        .unwrap()
        .replace("managed_spot = true", "managed_spot = false")
        .replace("max_wait = \"8h\"\n", "");
    let scenario = parse(&text);
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    // The spot market does not apply: no interruption, the case-1 timeline.
    assert_eq!(
        statuses(&timeline),
        [Starting, Downloading, Training, Uploading, Completed]
    );
    assert_eq!(outcome.training_time_in_seconds(), Some(15_180));
    assert_eq!(outcome.billable_time_in_seconds(), Some(15_180));
    assert_eq!(outcome.savings_percent(), Some(0.0));
    check_money(&outcome, ON_DEMAND_PER_HOUR, 1.0);
    // And the on-demand reference cost of the summary is exactly this job's cost.
    let od = Engine::new(&scenario).on_demand_cost_usd(ON_DEMAND_PER_HOUR);
    assert!((od - outcome.cost_usd).abs() < 1e-12);
}

#[test]
fn a_gang_pays_for_every_instance() {
    let scenario = variant(
        "aws-guide-one-interruption.toml",
        &[(
            "managed_spot = true",
            "managed_spot = true\ninstance_count = 4",
        )],
    );
    let (outcome, _) = run(&scenario);
    assert_eq!(outcome.training_time_in_seconds(), Some(18_540));
    check_money(&outcome, SPOT_PER_HOUR, 4.0);
}

#[test]
fn no_checkpoint_policy_restarts_from_the_beginning() {
    // Regression: with an S3 URI but policy "none", an interruption once produced NaN progress.
    let scenario = variant(
        "aws-guide-one-interruption.toml",
        &[("policy = \"interval\"", "policy = \"none\"")],
    );
    let (outcome, timeline) = run(&scenario);
    check_invariants(&outcome, &timeline);
    // 6,600 s trained by 7,200 s, all lost; the restart downloads without a restore
    // (9,300 → 9,600), trains 4 h (→ 24,000) and uploads (→ 24,300).
    assert_eq!(outcome.lost_training_seconds, 6600.0);
    assert_eq!(outcome.wall_clock_seconds, 24_300.0);
    assert_eq!(outcome.training_time_in_seconds(), Some(6900 + 15_000));
    assert_eq!(outcome.checkpoints_written, 0);
}
