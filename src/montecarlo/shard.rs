//! Shards: a run split across machines. Shard I of K runs a contiguous slice of the trials;
//! the index and count come from `--shard I/K` or from the array-job variables of Slurm,
//! Kubernetes Indexed Jobs and AWS Batch. Errors name environment variables, never
//! command-line options: the command line adds those ([`ShardError`]).

use crate::error::InputError;
use std::ops::Range;

/// What else would give the shard, for an environment that does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardHint {
    /// Giving the shard count.
    Count,
    /// Giving the shard as `I/K`.
    Spec,
}

/// Why there is no shard.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    /// `I/K` that does not parse or is out of range.
    #[error("expected I/K with 0 ≤ I < K (e.g. 0/4), got \"{0}\"")]
    Spec(String),
    /// An array-job variable is set but the shard count is not known.
    #[error("{variable} is set: the shard count is needed (the Job's completions)")]
    CountNeeded {
        /// The index variable.
        variable: &'static str,
    },
    /// The environment of an array job is inconsistent; `hint` says what would do instead.
    #[error("{error}")]
    Environment {
        /// What is wrong, naming the variable.
        error: InputError,
        /// What else would give the shard.
        hint: Option<ShardHint>,
    },
}

impl From<InputError> for ShardError {
    fn from(error: InputError) -> Self {
        ShardError::Environment { error, hint: None }
    }
}

/// Shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// 0-based index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// A checked shard.
    pub fn new(index: u64, count: u64, source: &str) -> Result<Self, InputError> {
        if count == 0 || index >= count {
            return Err(InputError::new(
                source,
                format!("expected a shard index 0 … count−1 and a count ≥ 1, got {index}/{count}"),
            ));
        }
        Ok(Self { index, count })
    }

    /// Parses `I/K`.
    pub fn parse(text: &str) -> Result<Self, ShardError> {
        let error = || ShardError::Spec(text.to_string());
        let (i, k) = text.split_once('/').ok_or_else(error)?;
        let index = i.trim().parse().map_err(|_| error())?;
        let count = k.trim().parse().map_err(|_| error())?;
        Self::new(index, count, "command line").map_err(|_| error())
    }

    /// The shard from the environment of an array job, if any: Slurm
    /// ((`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`) ÷ `SLURM_ARRAY_TASK_STEP`, of
    /// `SLURM_ARRAY_TASK_COUNT`; Slurm sets all four for `--array=A-B[:S][%N]`), Kubernetes
    /// Indexed Jobs (`JOB_COMPLETION_INDEX`, count from `shard_count`), AWS Batch
    /// (`AWS_BATCH_JOB_ARRAY_INDEX` of `AWS_BATCH_JOB_ARRAY_SIZE`).
    pub fn from_env(
        get: impl Fn(&str) -> Option<String>,
        shard_count: Option<u64>,
    ) -> Result<Option<Self>, ShardError> {
        let number = |name: &str| -> Result<Option<u64>, InputError> {
            match get(name) {
                None => Ok(None),
                Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                    InputError::new(
                        "environment",
                        format!("expected a non-negative integer, got \"{v}\""),
                    )
                    .at_key(name)
                }),
            }
        };
        if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
            let count = number("SLURM_ARRAY_TASK_COUNT")?
                .or(shard_count)
                .ok_or_else(|| ShardError::Environment {
                    error: InputError::new(
                        "environment",
                        "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not",
                    )
                    .at_key("SLURM_ARRAY_TASK_COUNT"),
                    hint: Some(ShardHint::Count),
                })?;
            let not_a_range = |what: String| {
                ShardError::Environment {
                error: InputError::new(
                    "environment",
                    format!(
                        "{what}: the shard index is (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) ÷ SLURM_ARRAY_TASK_STEP, so submit the array as --array=A-B or A-B:S (a throttle %N is fine)"
                    ),
                )
                .at_key("SLURM_ARRAY_TASK_ID"),
                hint: Some(ShardHint::Spec),
            }
            };
            if step == 0 {
                return Err(not_a_range("SLURM_ARRAY_TASK_STEP is 0".into()));
            }
            let offset = id.checked_sub(min).filter(|o| o % step == 0).ok_or_else(|| {
                not_a_range(format!(
                    "SLURM_ARRAY_TASK_ID {id} is not SLURM_ARRAY_TASK_MIN {min} plus a multiple of SLURM_ARRAY_TASK_STEP {step}"
                ))
            })?;
            // A list such as --array=1,5,6 reports MIN 1, MAX 6, STEP 1 and COUNT 3: its ids
            // are not MIN + k·STEP for k < COUNT, and every task must refuse it, not only those
            // whose index would overflow (the others would silently run the wrong shards).
            if let Some(max) = number("SLURM_ARRAY_TASK_MAX")?
                && (max < min || (max - min) % step != 0 || (max - min) / step + 1 != count)
            {
                return Err(not_a_range(format!(
                    "the Slurm array {min}-{max}:{step} does not have SLURM_ARRAY_TASK_COUNT {count} evenly spaced tasks (a list of task ids?)"
                )));
            }
            return Ok(Some(Self::new(
                offset / step,
                count,
                "environment (Slurm)",
            )?));
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = shard_count.ok_or(ShardError::CountNeeded {
                variable: "JOB_COMPLETION_INDEX",
            })?;
            return Ok(Some(Self::new(index, count, "environment (Kubernetes)")?));
        }
        if let Some(index) = number("AWS_BATCH_JOB_ARRAY_INDEX")? {
            let count = number("AWS_BATCH_JOB_ARRAY_SIZE")?
                .or(shard_count)
                .ok_or_else(|| {
                    InputError::new(
                        "environment",
                        "AWS_BATCH_JOB_ARRAY_INDEX is set but AWS_BATCH_JOB_ARRAY_SIZE is not",
                    )
                    .at_key("AWS_BATCH_JOB_ARRAY_SIZE")
                })?;
            return Ok(Some(Self::new(index, count, "environment (AWS Batch)")?));
        }
        Ok(None)
    }

    /// This shard's contiguous slice of `trials` (sizes differ by at most one).
    pub fn range(&self, trials: u64) -> Range<u64> {
        let cut = |i: u64| ((u128::from(trials) * u128::from(i)) / u128::from(self.count)) as u64;
        cut(self.index)..cut(self.index + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn ranges_partition_the_trials() {
        for (trials, count) in [(10, 3), (7, 7), (5, 7), (1_000_003, 16)] {
            let mut next = 0;
            for index in 0..count {
                let r = Shard { index, count }.range(trials);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, trials);
        }
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
        for bad in ["5/5", "1/0", "x/2", "3", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_array_job_environments() {
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(
            Shard::from_env(slurm, None).unwrap(),
            Some(Shard { index: 4, count: 8 })
        );
        // What Slurm 22.05 set for the tasks of --array=3-10%2 (the throttle changes nothing).
        for id in 3..=10u64 {
            let id = id.to_string();
            let throttled = env(&[
                ("SLURM_ARRAY_TASK_ID", &id),
                ("SLURM_ARRAY_TASK_MIN", "3"),
                ("SLURM_ARRAY_TASK_MAX", "10"),
                ("SLURM_ARRAY_TASK_STEP", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "8"),
            ]);
            let index = id.parse::<u64>().unwrap() - 3;
            assert_eq!(
                Shard::from_env(throttled, None).unwrap(),
                Some(Shard { index, count: 8 })
            );
        }
        // --array=0-12:4: ids 0, 4, 8, 12 are shards 0 … 3 of 4.
        for (id, index) in [("0", 0), ("4", 1), ("8", 2), ("12", 3)] {
            let stepped = env(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "12"),
                ("SLURM_ARRAY_TASK_STEP", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]);
            assert_eq!(
                Shard::from_env(stepped, None).unwrap(),
                Some(Shard { index, count: 4 })
            );
        }
        // --array=1,5,6: MIN 1, MAX 6, STEP 1, COUNT 3. Every task refuses, even id 1.
        for id in ["1", "5", "6"] {
            let list = env(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "6"),
                ("SLURM_ARRAY_TASK_STEP", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]);
            let error = Shard::from_env(list, None).unwrap_err().to_string();
            assert!(error.contains("evenly spaced"), "{error}");
        }
        let off_step = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert!(Shard::from_env(off_step, None).is_err());
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert_eq!(
            Shard::from_env(&k8s, Some(4)).unwrap(),
            Some(Shard { index: 3, count: 4 })
        );
        assert!(Shard::from_env(&k8s, None).is_err());
        let batch = env(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
        ]);
        assert_eq!(
            Shard::from_env(batch, None).unwrap(),
            Some(Shard { index: 0, count: 2 })
        );
        assert_eq!(Shard::from_env(env(&[]), None).unwrap(), None);
        assert!(
            Shard::from_env(
                env(&[
                    ("SLURM_ARRAY_TASK_ID", "9"),
                    ("SLURM_ARRAY_TASK_COUNT", "4")
                ]),
                None
            )
            .is_err()
        );
    }
}
