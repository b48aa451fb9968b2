"""What the statements share: assertions whose failures say what differed (`assertions`), tolerances with their
reasons (`tolerances`), what the oracles say a subject must return (`expected`), helpers of several chapters
(`shared`), what each statement documents (`coverage`), and what the benchmarks measure (`benchmarks`)."""
