"""The record of adaptive W-TinyLFU variants measured and not kept, from the eighth round on.

Documentation only, as :mod:`services.cache.wtinylfu_record` (which holds the first seven
rounds and says how the margins are read).

- An eighth round, LIRS's signal in admission, against the loops larger than the cache
  (loops@1000 -1.73 behind LIRS) and the looping programs (multi2, ps). A hashed table of
  16 x capacity slots (16-bit tag) kept each key's last use and the gap before it, resident
  or not (uses within the correlated-reference period counted once), and a candidate that
  ties its victim or beats it within ``ADMIT_MARGIN`` was admitted when its reuse distance
  (the longer of its last gap and the time since its last use) was under the victim's by a
  ratio, or the victim's was unknown (LIRS's non-resident HIR block). Shipped -> variant,
  adaptive cache, the same harness (hit ratios are deterministic):
  - Ratio 1.5, no guard: loops@200 +0.00 -> +1.24, loops@1000 -1.73 -> -0.57, loops@5000
    -0.94 -> -0.25, multi2@500/1000/2000 -0.23/-1.32/-0.88 -> -0.05/-1.07/-0.63, ps@250/500/
    1000 -0.29/+0.00/-0.63 -> +0.25/+0.58/-0.21, switch_rf@200/1000 -0.76/-1.03 -> -0.48/
    -0.32, sprite@500 -0.57 -> -0.05; but sprite@100 -0.64 -> -2.36, sprite@200 -0.94 ->
    -1.76. Ratio 3 / 6: sprite@100 -2.01 / -0.99, sprite@200 -1.56 / -1.30, multi2@1000
    -0.91 / -0.95. The loss is the rule's, not the climber's: static W-TinyLFU (1% window)
    with the rule against without (both counting bursts once), ratio 1.5: sprite@100
    -2.91, sprite@200 -1.56, loops@1000 +1.17, multi2@1000 +0.74. Sprite is where
    frequency beats recency (static 31.4% at 100 entries, LIRS 25.3%), and the rule brings
    LIRS's choice to it.
  - A victim seen once taking the time since that use as its distance (instead of losing):
    sprite@100 -1.48, sprite@200 -1.32, multi2@1000 -1.23. The shadows running the rule too
    (so they model the real cache): sprite@100 -1.88, sprite@200 -1.72.
  - Only while the window is at most 5%: sprite@100 -2.34, sprite@200 -1.70, loops@1000
    -0.57, switch_rf@1000 -0.82 (the damage is done while sprite's window is small).
  - Only in the margin's gray zone (the candidate beats the victim by exactly one count,
    ties still lose): loops@1000 -0.42, multi2@1000 -0.95, switch_rf@1000 -0.50, ps@1000
    -0.27, but sprite@100 -1.41, sprite@200 -1.18 (over ``test_simulator``'s one point under
    the static window); with ratio 3 sprite@200 -1.48, loops@1000 -1.19; with the victim's
    time since use as above sprite@200 -1.28, loops@1000 -0.51. The closest to a keeper: the
    worst of these sizes -1.73 -> -1.41, but sprite@200 breaks the bound.
  - Guards that let the cache judge the rule itself, each disputed decision (rule and sketch
    disagree) recorded whether or not the rule acted, and the rule on while a score is
    positive: scored by which of the two keys is requested first (Belady's choice), +-16:
    sprite@100 -1.44, sprite@200 -1.24, loops@1000 -1.72 (the score says no early on, when
    the resident set of the loops is decided), switch_rf@1000 -0.30; scored by every later
    request to either key (+1 candidate, -1 victim, the last width/64 keys), +-16: sprite@100
    -1.56, sprite@200 -1.70, loops@1000 -1.05, multi2@1000 -1.02; +-64 over width/16 keys:
    sprite@100 -1.77, sprite@200 -1.94, loops@1000 -0.89. On sprite the disputed candidates
    are requested more than their victims and the hit ratio still falls: who is requested
    next is not what the rule changes.
  - A selector by shadows, the climber's way: two more shadow caches at the real window,
    without and with the rule (gray zone only), on the climber's hash sample; the climber's
    sign test (2 standard deviations, evidence kept up to ``MAX_EVIDENCE_PERIODS``) turns the
    rule on or off in the real cache, starting off. The rule acts only while the window is at
    most 5% (without that cap sprite@200 fell to -1.02). Hit ratios deterministic; the
    shipped code in the same harness: 41 dev sizes worst -1.73, mean -0.315; the twelve
    held-out sizes worst -1.10, mean +1.556. Shipped -> variant:
    - Selector shadows at full size (every sampled key; spot checks without / with the
      cap): sprite@100 -0.69 / -0.68, sprite@200 -1.02 / -1.05, loops@1000 -0.86 / -0.86,
      switch_rf@1000 -0.67 / -0.89, cloudphysics@5000 +1.16 with it; about twice the CPU
      time per request.
    - A quarter of the sampled keys into shadows of a quarter the size, no 5% cap: dev worst
      -1.32, mean -0.167 (loops@1000 -1.15, switch_rf@1000 -0.70, zipf_scan -0.76..-0.63 ->
      +0.02..+0.32 against LIRS, switch_fr +0.6 to +0.8, but sprite@200 -1.02 and multi2@500
      -0.43); held-out worst -1.10, mean +1.496 (cloudphysics@5000 +1.16 -> -0.49: 128-entry
      shadows on 2.5% of the keys misjudge it).
    - The same with the 5% cap: dev worst -1.15 (loops@1000), mean -0.190; multi2@1000 -1.09,
      sprite@200 -0.70, sprite@100 -0.84; held-out worst -1.10, mean +1.464 (cloudphysics@5000
      -0.24). CPU per request (median of three interleaved rounds, process time): sprite@100
      +23%, loops@1000 +30%, zipf_scan@1000 +25%, multi2@500 +22%.
    - Selector shadows sized to cost a sixth of the cache and its climbing shadows (a
      quarter of the keys up to 512 entries, the climber's whole sample at 5000 and above),
      5% cap: dev worst -1.13 (loops@1000), mean -0.201; sprite@200 -0.97, sprite@100 -0.94;
      held-out worst -1.10, mean +1.578 (no held-out size worse by over 0.03,
      twitter@15000 +0.1 to +0.2). CPU per request, medians of three interleaved rounds:
      sprite@100 +26%, loops@1000 +16%, zipf_scan@1000 +47%, multi2@500 +24%, extents@5000
      +49%.
    - An eighth, and the selector idle while the window is over the cap: sprite@200 -1.08
      (over ``test_simulator``'s one point), multi2@1000 -1.11, cloudphysics@5000 -0.24; CPU
      per request over three to six rounds: sprite@100 +32 to +42%, loops@1000 +21 to +58%,
      zipf_scan@1000 +5 to +44%, extents@5000 0 to +57% (the machine's noise is +-20%). A
      sixteenth: the selector rarely turns the rule on (multi2@1000 -1.32, as shipped; loops
      at 200 entries never).
    The best of these (a sixth) lifts the dev worst from -1.73 to -1.13 and the mean from
    -0.315 to -0.201 with no held-out loss, but costs a quarter to a half more CPU per
    request, over this round's budget of 15%, and sprite@200 swings between -0.70 and -1.08
    with the selector's sample (the test's bound is -1.0). Not kept. What would make it fit:
    a cheaper reuse-distance table (it is touched on every request, in Python) and a
    selector that shares the climber's low shadow when the window sits at the floor (the
    low shadow is then the no-rule shadow at the real window).
- A ninth round, the shape of aging, against the small-cache loops and looping programs
  (loops@1000 -1.73, multi2@1000 -1.32) and the switch (switch_rf@1000 -1.03); the held-out
  CloudPhysics@15000 (-1.10) is out of its reach, as there the cache's own sketch ages once
  in the whole trace and the window ends at the floor. Halving rounds down, so every
  reset wipes the counts of 1, and a popular key that came back once since the last reset
  ties a one-off key. Each variant changes the adaptive cache's own sketch only (the shadows
  and the static reference halve) unless said; shipped -> variant, the benchmark's seed 7,
  hit ratios deterministic:
  - By quarters (a quarter off each counter, dithered rounding ``(3c + r) // 4`` with ``r`` cycling
    0, 2, 1, 3, the count of increments cut by a quarter, so resets come twice as often; not
    kept). Full ``--real --loo --heldout`` run:
    recency worst -0.77 -> -0.80 (stack@200 -0.52 -> -0.36, shifting@200 -0.68 -> -0.59); zipf_scan
    against static -0.17 -> +0.43 worst (+0.73/+0.49/+0.43); mixed worst -1.73 -> -2.06 (loops@5000
    -0.94 -> -2.06; loops@1000 -1.73 -> -1.39, loops@200 0.00 -> +0.61, switch_rf@1000 -1.03 ->
    -0.76, switch_rf@200 -0.76 -> -0.54, hot_extents +0.2 to +0.3, switch_fr +0.2 to +0.4); real
    worst -1.32 -> -0.93 (multi2@1000 -1.32 -> -0.93, sprite@100/200/500 -0.64/-0.94/-0.57 ->
    -0.60/-0.88/-0.38, 2_pools -0.02..+0.02 -> -0.06..+0.00); leave-one-trace-out worst -1.82 ->
    -2.06 (loops@5000; multi2@1000 -1.82 -> -2.00 under the runner-up setting it picks), mean -0.327
    -> -0.239; held-out worst -1.10 -> -1.10 (CloudPhysics@15000 unchanged), mean +1.56 -> +1.62
    (CloudPhysics@5000 +1.16 -> +0.47, @1000 +0.36 -> +0.48, the Twitter sizes +0.01 to +0.28). CPU
    per request against the shipped code, interleaved in one run, medians: geometric mean 1.07 and
    1.02 over six traces in two runs (three and five rounds; per trace 0.91 to 1.15, the machine's
    noise). Not kept: on seeds 1-6 of the interleaved loops at 1000 entries it averages -1.62
    against halving's -1.02 (seed by seed -1.74/-1.15/-0.22/-0.99/-0.92/-1.11 ->
    -1.80/-0.78/-0.74/-2.90/-2.23/-1.25): seed 7's gain there is luck, and the loops are the case it
    was meant for. At 5000 entries, seeds 1-6: -1.67/-2.42/-3.09/-2.17/-2.13/-1.25 ->
    -1.79/-0.88/-2.83/-2.10/-1.16/-1.87 (means -2.12 -> -1.77): seed 7's loss there is luck too. Its
    gains hold over seeds 1-4 at 100 and 200 entries: zipf_scan +0.00 to +0.59 (mean +0.42),
    switch_rf +0.22 to +0.30; loops at those sizes -0.32 to +0.51.
  - Halving with the rounding dithered (down, then up, alternately): loops@1000 -1.42,
    loops@5000 -2.07, switch_rf@1000 -0.71, zipf_scan@200/1000 +0.73/+0.50 against static,
    multi2@1000 -0.94, but sprite@100 -0.64 -> -1.13, sprite@200 -0.94 -> -1.03, sprite@500
    -0.57 -> -0.87, CloudPhysics@5000 +1.16 -> +0.47.
  - By quarters in the shadows too (they model the cache): loops@5000 -3.82, switch_rf@1000
    -1.34, switch_rf@5000 -0.13 -> -0.68, shifting@200 -0.93, sprite@200 -1.19.
  - By quarters without the dithering (``3c // 4``, a count of 1 wiped at every reset, twice
    as often as halving wipes it): loops@1000 -9.65, loops@200 -3.73, sprite@200 -2.15,
    zipf_scan@200 -1.09 against static.
  - Halving staggered (a quarter of the columns per reset, in turn, every eighth of the
    period, so no reset ages every key at once): loops@1000 -1.46, loops@5000 -1.53,
    switch_rf@1000 -1.13, switch_rf@5000 -0.38, zipf_scan@1000 -0.08 -> -0.52 against
    static. The flat drop of every count at one reset is not what costs.
  - Caffeine's restart amplitudes: a restart of the step at 0.5 or 0.125 of the cache
    instead of ``STEP_PERCENT``: switch_rf@1000 -1.03 -> -1.25 / -1.22, switch_rf@5000 -0.13
    -> -0.46 / -0.33, loops@1000 unchanged; ``RESTART_THRESHOLD`` 0.03: no change on
    switch_rf or loops.
- A tenth round, the climber's step and its sign test, after ``--seeds`` was added to
  ``benchmarks.cache_climb``: seed 7 and seeds 1-4 of the synthetic traces that scale with the
  cache (90 sizes), the extent traces at seed 7, the real and held-out traces (hit ratios
  deterministic; one harness ran each variant on all of them). Shipped before the round:
  recency worst -1.13 over the seeds (shifting@200, seed 1; -0.77 at seed 7), frequency
  -0.39, mixed -3.09 (loops@5000 seed 3; the loops' mean over five seeds -1.17 at 1000 and
  -2.06 at 5000 entries, where the adaptive cache equals the static one but at 5000, seed 3:
  the gap is admission's, not the window's), real -1.32 (multi2@1000), held-out -1.10.
  On sprite the window swung between the floor and 50 to 97% every one to three periods
  (its phases flip the shadows' verdict), and at 200 entries that cost 0.94 point against
  the static window; on multi2@1000 a single excursion to 26% (moved by the ghosts on 17
  split requests, 13 to 4) cost 0.66.
  - Kept: Rprop's step rule (Riedmiller and Braun 1993) on the direction of the moves: a
    move that reverses the last within ``REVERSAL_PERIODS`` 4 periods halves the step's
    scale (down to 1/8), a repeat doubles it back, a move after a longer hold starts at
    full scale, and a move against a bound does not count (without that, a push against the
    floor made the first move up a reversal: stack@1000 -0.51 -> -0.82). Base -> kept:
    real worst -1.32 -> -1.22 (multi2@1000), mean -0.39 -> -0.33 (sprite@100/200/500
    -0.64/-0.94/-0.57 -> -0.55/-0.40/-0.33); held-out worst -1.10 unchanged, mean +1.56 ->
    +1.57 (twitter52@15000 +0.21, twitter52@5000 -0.14); recency unchanged at every size and
    seed; frequency worst -0.39 unchanged, mean -0.10 -> -0.12 (zipf_scan@1000 seeds 3 and
    4: -0.18, -0.28, the slower return from an excursion); mixed worst over the seeds -3.09
    -> -3.07, mean -0.21 -> -0.24 (switch_fr -0.4 to +0.2 by seed, still +0.7 to +1.3 on
    average; hot_extents@5000 +0.76 -> +0.52, extents@5000 -0.50 -> -0.61, extents@15000
    +0.11). Leave-one-trace-out (``--loo``, seed 7): worst -1.82 -> -1.73 (loops@1000;
    multi2@1000 -1.82 -> -1.65 under the runner-up it picks), mean -0.33 -> -0.24. The rule
    runs once per period: no measurable CPU cost per request.
  - iRprop+ (a quick reversal undoes the last move exactly, halves the scale, and the move
    after it takes the halved step without adapting): sprite@100/200/500 -0.17/-0.54/-0.56,
    loop@250 -0.43 -> -0.24, zipf_scan unchanged, but multi2@1000 -1.30, loops@5000 seed 3
    -3.09 -> -3.50 (mixed worst), switch_fr@1000 seed 2 +1.58 -> +0.74: after a small move
    to the floor the next move up is a reversal that undoes a few entries and halves the
    scale, so the climb after a switch starts slowly. Not kept.
  - ``REVERSAL_PERIODS`` 2: sprite -0.41/-0.47/-0.48, switch_fr closer to the base,
    hot_extents@5000 +0.38, CloudPhysics@1000 +0.36 -> +0.12; no better than 4.
  - A restart of the step also widening the probe to ``MAX_PROBE`` (search widely after a
    change: shadows at +-50% see a larger difference sooner), evidence forgotten: on key
    sizes switch_rf@1000 -1.03 -> -1.34 and (seed 2) -1.20 -> -1.95, switch_rf@200 seed 2
    -1.32 -> -1.74. Re-placed shadows start cold, and the restart fires a block late.
  - A continuity correction in the sign test (move when ``|diff| - 1`` reaches the bound,
    the textbook normal approximation of the sign test at small counts), on top of the
    kept rule, key sizes only (no full run): sprite@100 -0.55 -> -0.13, sprite@500 -0.33
    -> -0.16, sprite@200 and multi2 unchanged (multi2@1000's excursion is the ghosts'),
    switch_rf@200 seed 2 -1.32 -> -1.43, ten other synthetic sizes unchanged. Not judged.
- An eleventh round, the start and the speed of the climb and the warm-up of admission, after
  ``--short`` showed the recency-heavy traces cut to 10 and 20 cache sizes 1.4 to 3.0 points
  behind LRU. One harness ran each variant on 113 sizes: the short traces, the real and
  held-out ones, the synthetic ones at seed 7 and those that scale with the cache at seeds 1-4
  (200 and 1000 entries). Before the round: worst -2.99 (shifting/10@1000), mean -0.193, 20
  sizes under -1.0. There the wait for the shadows' first sketch reset costs the shifting
  trace four of its ten cache sizes (full at 2, first move at 8); the stack trace fills only
  at 10 and then climbs one 25% step per period of two cache sizes. Before -> variant:
  - The climb starting K shadow capacities of counted uses after the shadows fill, not at
    their first reset: K 0 and 1, worst -2.45, mean -0.69 and -0.67 on 27 key sizes (before
    -0.79): shifting/10@200 -2.20 -> -0.60, @5000 -2.32 -> -1.63, sprite@100 -0.55 -> +0.15 (K
    1), but CloudPhysics@5000 +1.15 -> -0.08, multi2@1000 -1.22 -> -1.65, sprite@500 -0.33 ->
    -0.64; K 2 and 3 no better than the reset (shifting/10@5000 -2.79). Stack/20 is unchanged
    at every K: its shadows reset before the cache fills.
  - Moves before the first reset on strong shadow evidence only (3, 4 or 6 standard
    deviations, evidence kept from the fill): 21 sizes under -1.0 at each; shifting/10@5000
    -2.79, shifting/20@5000 -1.48 -> -2.19, loops@200 +0.00 -> -1.04 / -1.31 / -1.31,
    CloudPhysics@5000 -0.08 at 3 and 4. Early evidence misleads even on the shifting trace at
    5000 entries: the cold sketch's bias the wait is for.
  - Rprop's scale allowed above 1 (a repeat doubles the step up to 50% of the cache; 100% the
    same): 15 sizes under -1.0, mean -0.180; stack/20 -1.42/-1.45/-1.36 -> -1.05/-0.98/-1.02,
    stack at 60 sizes +0.14 to +0.20, switch_rf@1000 -1.03 -> -0.87; but extents@15000 -0.07
    -> -0.52, hot_extents@15000 -0.00 -> -0.53 and @5000 +0.52 -> +0.12 (the window overshoots
    where the best one lies in between, the database-like case), sprite@200 -0.40 -> -0.75,
    Twitter at 15000 0.3 to 0.4 point less in all three stretches. Upward moves only: the same
    extent losses, sprite@200 -0.91. With the K 1 start: 13 sizes under -1.0, mean -0.105, but
    CloudPhysics@5000 +1.15 -> -1.85, multi2@1000 -1.65, loops@200 -1.04. Not kept: the gains
    are on synthetic recency, the losses on real and database-like traces.
    Downward moves only, after the fill aging was kept (for the switch from recency to
    frequency): 14 sizes under -1.0 as without, mean +0.079 -> +0.076; switch_rf@1000 seed 3
    -0.89 -> -0.66, switch_rf@200 seed 4 -0.85 -> -0.48, but seed 2 at 1000 -1.18 -> -1.49,
    sprite@100 -0.21 -> -0.58, sprite@200 -0.84 -> -0.96.
  - The sign test's continuity correction (round ten, not judged then): mean -0.193 -> -0.187,
    worst and sizes under -1.0 unchanged; sprite@100 -0.55 -> -0.16, sprite@500 -0.33 ->
    -0.15, but switch_fr@200 seed 3 +0.80 -> +0.56, switch_rf@200 seed 2 -1.32 -> -1.43,
    extents@1000 -0.01 -> -0.10, the held-out sizes within 0.07. Within the noise between
    seeds; not kept.
  - The ghosts' verdict only when the shadows lean its way by half or one standard deviation
    (multi2@1000's excursions were the ghosts'): multi2@1000 unchanged at both; at one
    deviation 27 sizes under -1.0, mean -0.327 (stack/20@1000 -1.45 -> -3.31, stack@1000 -0.51
    -> -1.23, shifting@200 -0.68 -> -1.22: the sampled shadows rarely lean that far at 1000
    entries and up); at half, 21 sizes, mean -0.215 (stack@1000 seeds 2 and 4 -0.38/-0.27 ->
    -0.93/-0.81). Not kept.
  - Kept: the sketch aged once at the fill, in the cache and in its shadows (figures in
    :mod:`services.cache.wtinylfu`). Variants of it: the cache alone, shadows unaged (worst
    -2.96, mean +0.039, 15 sizes under -1.0); the shadows aged too but the climb waiting for
    their second reset (worst -2.96, mean +0.088, 12 sizes: stack/20@1000 -1.45 -> -0.38,
    switch_rf@1000 -0.47, CloudPhysics@5000 +2.82, but the short shifting traces as shipped,
    switch_rf@5000 -0.13 -> -1.01, multi2@1000 -1.39; a second rule for one wait, not kept);
    the first regular reset after 2 or 3 capacities of counts instead of 6 (then every 6):
    loops@1000 -12.97 / -10.65, ps@250 -5.63, multi2@500 -5.32 / -4.55, an opening too short
    to tell the loops apart. Margin 0 until the first reset (ties broken the other way
    instead of the counts aged): mean -0.012, CloudPhysics@15000 -4.05; only for candidates
    counted 3 or 4 times: no gain (the gain is all in keys read twice against keys read
    once).
- A twelfth round, the workload switch (``switch_rf``: the static cache is 2.5 to 5 points
  under ARC in the frequency half, and the adaptive one with it; the same static cache with
  its sketch cleared and protected demoted at the switch, an oracle, gains 3.6 and 2.4 points
  in that half's two quarters at 1000 entries). One harness ran each variant on 133 dev sizes
  (the short, real and synthetic ones at seed 7 and at seeds 1-4; shipped: worst -1.62, mean
  -0.134, 14 sizes under -1.0) and the 12 held-out ones:
  - The indicator (Einziger, Eytan, Friedman and Manes, Middleware 2018; Caffeine's
    simulator's ``IndicatorClimber``): the window set each period to 80% of the mean sketch
    estimate of arriving keys (of 15) times ``1 - skew**3``, the skew the slope of the top 70
    counts against their rank (log-log), every 10 capacities of requests. On the stack trace
    the estimate is about 3 and the skew 0.13, so the window stays at 16-19% where LRU is
    best: stack@1000 75.60 -> 62.72 hit ratio, switch_rf@1000 51.77 -> 47.33, loops@1000
    42.61 -> 40.62, zipf_scan@1000 31.80 -> 31.77.
  - The history aged when a restart follows a drop in the hit rate (the sketch halved once in
    the cache and its shadows, protected demoted to probation, so the old workload's
    favourites earn their place again): mean -0.116, worst and sizes under -1.0 unchanged;
    switch_rf +0.16 to +0.41 at seven sizes (@1000 seed 7 -1.61 -> -1.34), sprite@500 +0.41,
    but sprite@100 -0.21 -> -0.55 (its phases fire 48 restarts with a drop), loops@200 seed
    3 -0.18, extents@5000 -0.12; held-out +0.002. Halving twice: mean -0.118, worst -1.69
    (switch_rf@200 seed 1 -1.25 -> -1.69); halving once without the demotion: mean -0.131,
    sprite@100 -0.94. Requiring the rate to halve would be one more tuned constant (the
    switch at 5000 entries, seed 4, drops 0.64 -> 0.33). Within the noise between seeds; not
    kept.
- A thirteenth round, the climber's excursions on short looping traces. On multi2@1000 (26
  capacities long) the static window at 1% is 0.66 under LIRS and the climber 0.65 more: a
  first move on a barely significant test (24 of 108 split requests, 2.3 standard deviations)
  took the window from 1% to 24%, and the next period's verdict (5 against 149) brought it
  back over two periods. ``python -m benchmarks.cache_climb --real --heldout`` and
  ``--seeds 1,2,3,4``:
  - The step scaled by the test's strength (the sign test's z over twice the confidence, at
    most 1; Caffeine's simulator's gradient climbers also move by the measured difference;
    the first round's step grew strong moves, this one shrinks weak ones):
    real min -1.31 -> -0.75 (multi2@1000 -0.75, sprite@200 -0.84 -> -0.43, sprite@500 -0.54
    -> -0.29), held-out mean +1.77 -> +1.80, min unchanged; but the recency-heavy traces climb
    a period later at large sizes: stack@15000 -0.79 -> -1.05 (the recency figure), stack@200
    -0.35 -> -0.82, switch_rf@200 -0.68 -> -1.30, twitter52@15000 +0.90 -> +0.84, and over
    seeds 1-4 stack 0.07 to 0.14 worse on average at every size. Over three times the
    confidence: multi2@1000 -0.47, stack@15000 -1.23. The full step kept for moves that repeat
    the last one: the same recency losses, sprite@200 -1.11. Not kept: the recency-heavy
    traces at large sizes are where an outside trace once lost six points.
  - The last move undone at once when the next verdict against it is that strong (a
    backtracking step, not Rprop's half): multi2@1000 -1.31 -> -1.24; the cost is in the
    period spent at the wrong window, not in the way back. Not kept.
"""
