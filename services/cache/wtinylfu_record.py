"""The record of adaptive W-TinyLFU variants that were measured and not kept.

Documentation only: :mod:`services.cache.wtinylfu` says how each shipped setting was chosen;
this module keeps the variants tried against it, each with the figures that rejected it, so
they are not tried again. Margins are in points of hit ratio against the best of LRU, ARC,
LIRS and static W-TinyLFU on the same trace and size, as ``benchmarks.cache_climb`` reports
them (``python -m benchmarks.cache_climb --real --loo``).

- Faster reactions, tried against the warm-up loss on the stack trace at 5000 entries (-1.29:
  the cache fills at a sixth of the trace, then the climb to a full window takes four
  periods of one 25% step each) and rejected on the real traces (margins before -> after):
  doubling the step on each move in the same direction as the last (momentum) gave stack@5000
  -1.09 but sprite@200 -0.90 -> -1.88; deciding early, at each quarter period, when the
  shadows already differ by twice the confidence gave stack@5000 -0.86 but multi2@500 -2.49
  and multi2@1000 -2.36; a double step on evidence of twice the confidence gave stack@5000
  -0.81 but multi2@1000 -3.40 (-2.73 when the ghosts must agree too, -5.54 with a step
  proportional to the evidence). On the real traces strong evidence is often a phase that
  ends before a large window pays off. After a detected workload change, forgetting the
  evidence or aging the sketch once cost 0.5 point on a trace that switches from recency to
  frequency at 1000 entries (-1.49 -> -2.0); keeping the shadows' evidence from before their
  first sketch reset changed nothing but sprite@500 (-1.15 -> -1.47).
- A second round, each change alone, scored on all 35 trace sizes of
  ``benchmarks.cache_climb``, zipf_scan against static W-TinyLFU (shipped: worst -1.84, the
  static window's gap to LIRS on multi2@500, which no window closes; mean -0.47; -0.52 when
  zipf_scan is scored against LIRS too, as the benchmark's leave-one-out does); none was
  better on the mean by more than the noise between seeds, so none is kept:
  - Warm-up as Caffeine does it: nothing is filtered before the cache is full (so here too,
    as ``_evict`` only runs admission at capacity), and a climber that does not wait for the
    shadows' sketch reset (multi2@1000 -1.66 -> -2.92, switch_rf@5000 -0.17 -> -1.58, mean
    -0.56). On the stack trace the shadows see no difference until the cache is full, so the
    start of the climb is set by the fill, not by the wait.
  - Caffeine's initial step (6.25%) as the starting window, the floor kept at 1%: zipf_scan
    @5000 -0.67 against static, ps@1000 -0.62 -> -1.62; mean -0.53.
  - Set dueling for the first move (shadows at the floor and at 99%, and the window jumps to
    the winner): multi2@500 -1.84 -> -3.90; with shadows at +-50%: -2.31, and zipf_scan@5000
    -0.38 against static.
  - ``SHADOW_ENTRIES`` 256 / 1024 / 2048: mean -0.52 / -0.455 / -0.48. 1024 cut stack@5000
    from -1.29 to -0.68 but lost 0.5 on switch_rf@5000, and costs 18% (5000 entries) and 7%
    (15000) more CPU time than 512 (process time, median of three rounds on a 150k extent
    trace).
  - A third, far shadow at the other end (99% while the window is under half, else the
    floor) that moves the window its way when it beats the locally better shadow by the same
    sign test, against a valley between small and large windows that a local climber cannot
    cross: fixed-window sweeps of multi2@1000, sprite@200 and two extent traces at 15000 found
    no valley, and it lost 0.67 on sprite@200 (mean -0.476).
  - ``PERCENT_MAIN_PROTECTED`` 0.6 / 0.9 for the adaptive cache alone (references unchanged):
    mean -0.49 / -0.57 (0.9: sprite@200 -2.83, multi2@500 -2.78).
  - No restart of the step: mean -0.43, from sprite alone (+0.3 to +0.7 at its three sizes),
    and 0.07 to 0.17 lost on the trace that switches from recency to frequency, which is
    what the restart is for.
  Picking among all twelve measured variants leave-one-trace-out (on the other traces' worst
  margin, then their mean) gives held-out worst -1.84 and mean -0.50, and on the mean first
  -0.475: no better than the shipped settings' -0.468, so they stay.
- A third round adapts more than the window, after "Adaptive Software Cache Management"
  (Einziger, Eytan, Friedman, Manes, Middleware 2018), which tunes the admission filter and
  the sketch as well. Two OLTP-like traces of 900k requests (``extent_trace`` with a popular
  share of 0.6 and 0.45, where ARC beats LRU by 1.2 to 2.5 points and the best window lies
  in between) were checked first: the shipped climber is +0.66 (5000 entries, window 53%),
  +0.15 (15000, 36%) and -0.17 (15000, share 0.45, 75%) there, so it already stops short of
  a full window when the main's frequency pays; the first of them is ``hot_extents`` in the
  benchmark.
  - Admission that follows the window: once the window is half the cache or more (the
    climber has judged the workload recency-heavy), a tie admits the candidate (margin -1)
    instead of a win by two counts. Fixed windows on the popular extent trace at 5000: 60%
    +0.19 -> +0.56, 80% -0.33 -> -0.14; climbing on the 900k traces: +0.66 -> +0.93 and
    -0.17 -> +0.07. On the 35 benchmark trace sizes: extents +0.1 to +0.3, sprite +0.1 to
    +0.4, but stack@1000 -0.59 -> -1.18, shifting@200 -0.45 -> -1.02, switch_rf@5000
    -0.17 -> -1.45 (a large window at the switch admits the first scans); held-out worst
    -1.84, mean -0.53 against the shipped -0.52. With margin 0 instead of -1: switch_rf@5000
    -0.83, sprite@500 -1.15 -> -0.94, loop@250 -0.41 -> -0.54; held-out worst -1.84, mean
    -0.53. Neither is better beyond the noise between neighbouring runs, so neither is kept.
  - Aging that follows the window (sketch sample size as a function of the window share):
    fixed 60% windows at sample factors 2/3/6/10 gave +0.02/+0.22/+0.56/+1.01 on the popular
    extent trace at 5000 but -1.86/-2.00/-2.37/-3.01 on the LRU-stack trace at 1000: the two
    recency-heavy traces want opposite aging, so no rule from the window to the sample size
    exists and none was built.
  - What closes static W-TinyLFU's gap to LIRS on multi2 and ps (the worst held-out sizes),
    static policy, 1% window: admission margin 0/1/2 x sample factor 3/6/10/20 gave best
    multi2@500 -1.87 (the shipped 1 and 6), multi2@1000 -0.78 (1, 3; the shipped -1.01),
    multi2@2000 -1.41 (1, 3; shipped -1.65), ps@250 -1.22 (0, 6; shipped -1.49): no pair is
    best on two sizes, and sample factor 3 loses 2.9 on multi2@500 and 4.1 on ps@250.
    Conservative sketch updates changed multi2 by under 0.05; width factor 4 lost 1.4 on
    multi2@500, 64 equalled 16. A protected share of 0.5/0.8/0.9/0.97 left ps and
    multi2@2000 unchanged (to 0.01) and multi2@500 at -1.71/-1.87/-3.15/-4.01. Caffeine's
    random admission of a warm candidate (1 in 128 from ``ADMIT_HASHDOS_THRESHOLD`` 6) made
    no difference on multi2 or ps whether off or from a count of 3 (multi2@2000 -1.65 ->
    -1.57, but sprite@200 adaptive -0.90 -> -1.44). The gap is not in admission strictness,
    aging, sketch width, random admission or the segment split.
  - When the window shrinks, its overflow joins probation at the LRU end instead of the MRU
    end (as in Caffeine): those entries never passed admission, so they were to be the next
    victims rather than outrank admitted ones. On the 38 benchmark sizes: held-out worst
    -1.84, mean -0.43 against the shipped -0.45, recency worst -1.29 -> -0.84 and mixed
    -1.49 -> -1.14; but the recency gain is one shrink on stack@5000 (-1.29 -> -0.54) that
    seeds 1 and 2 of the same trace do not have (-0.58 and -0.48 either way), sprite@100
    lost 0.27, and on other seeds of the recency-then-frequency switch it lost 0.09 to 0.17
    at four of six sizes (seeds 1-4 at 1000, 1 at 5000, 2 at 200). Not kept.
  - ``VICTIM_SAMPLE`` 4 instead of 8 (the shipped one; 1 is Caffeine's single victim): on
    all 38 sizes worst -1.94 (switch_rf@1000), mean -0.40 (8: -1.58, -0.32); held-out with
    the climber grid -1.94 and -0.37 (8: -1.89, -0.34). With 4, multi2@500 -0.96, sprite@500
    -1.38, switch_rf@1000 -1.94 and @5000 -1.18 (8: -0.52, -0.67, -1.58, -0.07).
- A fourth round, after a database trace of about 900k requests measured elsewhere lost 3.1
  and 6.0 points at 5000 and 15000 entries (before the ghosts), and after the interleaved
  loops (``loops`` in the benchmark, from a model of multi2 and ps) were added. Margins
  below are from one script that runs the shipped code and the variant on the same traces.
  - Database-like recency-heavy traces of 900k requests, made for this check and not kept in
    the benchmark (``extents`` covers the shape): an LRU stack with log-uniform depth up to
    100k and 20% new keys gave +0.06/+0.14/-0.30 at 1000/5000/15000 entries (window 99%);
    with 30% of requests to a fixed Zipf(0.8) set of 20k keys +0.72/+0.13/-0.22 (window 70
    to 77%); with 30% of requests repeated at once (a read then a write of one page) and a
    10% hot set +0.08/+0.25/+0.10. The shipped climber closes the gap there; nothing changed.
  - On ``loops`` at 1000 entries the shipped cache trails LIRS by 1.74 points, all of it in
    the first third of the trace: by the end it holds the two shortest loops whole (300 and
    690 of 700 keys), but early on the counts of a loop of 0.7 and one of 1.2 cache sizes
    differ by under two and the margin keeps whichever got in first.
  - Random admission of a reused candidate (count 2 or more) that ties the victim or beats it
    within the margin, 1 time in 16, against a resident set that only ties keep. A first
    look on 24 trace sizes was promising (switch_rf@1000 -1.58 -> -1.09, multi2@2000 -1.33
    -> -0.98, worst -1.58 -> -1.09; 1/64: multi2@2000 -1.17, sprite@500 -0.89). The full
    ``--real`` run, the static reference with the same rule, then showed what it costs on
    loops (shipped -> 1/16): loop@500 +0.00 -> -2.68, loops@5000 -0.94 -> -1.59, sprite@500
    -0.67 -> -1.05, zipf_scan@1000 -0.05 -> -0.17 against static; gains at switch_rf@1000
    -1.58 -> -0.99, multi2@2000 -1.33 -> -0.96, sprite@200 -0.97 -> -0.54, shifting@200
    -0.51 -> -0.18, extents@15000 -0.32 -> -0.01; worst -1.73 -> -2.68 and mean -0.35 ->
    -0.38 over 37 sizes. On a loop a tie is the normal case and churning on it gives up the
    fixed resident set; not kept.
  - A candidate that beats the victim by exactly one count (what the margin refuses) admitted
    with probability 1/4 and 1/16: loops@1000 -1.74 -> -5.03 / -3.22, multi2@1000 -1.38 ->
    -2.12 / -1.39, multi2@2000 -1.33 -> -0.97 / -1.01, switch_rf@1000 -1.58 -> -1.16 /
    -1.85, stack@1000 -0.51 -> -0.44 / -0.48. On loops a one-count lead is mostly the phase
    of the loop, and admitting on it churns the resident set, as margin 0 did on loop.
  - ``VICTIM_SAMPLE`` 16 / 32: multi2@1000 -1.38 -> -1.44 / -1.38, multi2@2000 -1.33 ->
    -1.33 / -1.17, multi2@500, ps@250 and ps@500 unchanged.
  - ``SKETCH_SAMPLE_FACTOR`` 10 / 12 (slower aging, the shadows' too), which the loops want:
    loops@1000 -1.74 -> -1.18 / -0.92, multi2@1000 -1.38 -> -0.72 / -0.78, zipf_scan@200
    -0.72 -> -0.26 / +0.27, sprite@100 -0.58 -> +0.11 / +0.21; but loops@3000 -0.92 ->
    -2.32 / -0.91, switch_rf@1000 -1.58 -> -1.44 / -2.03, shifting@1000 -0.51 -> -1.28 /
    -1.57, stack@200 -0.37 -> -0.73 / -1.25, sprite@200 -0.97 -> -1.17 / -1.44; over twelve
    synthetic trace sizes the mean went -0.58 -> -0.64 / -0.69 and the worst -1.74 -> -2.32
    / -2.03. Static W-TinyLFU on loops@1000, margin 0/1/2 x sample factor 3/6/12/24:
    -20.9/-4.2/-2.5/-1.0, -10.6/-1.7/-0.9/-0.8, -9.7/-9.1/-3.2/-2.2 (at 3000: margin 1
    gives -9.0/-0.9/-0.9/-0.9). Longer memory resolves the loops, and loses the recency
    traces the window is meant to win; not kept.
- A fifth round adapts the aging period of the adaptive cache's own sketch (the shadows and
  the static reference keep ``SKETCH_SAMPLE_FACTOR`` 6). Margins against the references of
  one ``--real`` run of the shipped code, shipped -> variant (hit ratios are deterministic).
  - Fixed longer aging for the adaptive cache alone, 12 x capacity: worst -1.74 -> -1.33,
    mean -0.31 -> -0.17 over 41 sizes; loops@1000 -1.74 -> -0.93, switch_rf@1000 -1.58 ->
    -1.28, multi2@1000 -1.38 -> -1.22, multi2@2000 -1.33 -> -1.25, zipf_scan +0.13 to +0.86
    against static (was -0.13 to 0.00), hot_extents +0.2 to +0.6; recency within 0.14
    (shifting@200 -0.50 -> -0.64, stack@200 -0.37 -> -0.26). So the recency losses of the
    slower aging above came from the shadows' and the reference's sketches, not from the
    adaptive cache's. It lost 0.36 on sprite@200 (-0.97 -> -1.33); sprite@200 at
    7/8/9/10/11/14/16 x capacity: -1.17/-1.07/-1.02/-1.12/-0.87/-1.22/-1.18, a small loss
    at every period. Not adaptive, and over the 0.2-point bound on sprite@200; not kept.
  - Aging by resolution: at each sketch reset, double the period (up to 24 x capacity) when
    the last period's admission decisions were mostly ties (a candidate seen twice or more
    within ``ADMIT_MARGIN`` of its victim), halve it back (not below 6) when decided ones
    outnumbered ties four to one. Full ``--real`` run, load 3-9: worst -1.74 -> -1.66
    (switch_rf@1000 -1.58 -> -1.66), loops@1000 -1.74 -> -1.00, multi2@1000 -1.38 ->
    -1.07, multi2@2000 -1.33 unchanged, zipf_scan +0.48 to +0.84 against static, switch_fr
    +0.3 to +0.6; but sprite@200 -0.97 -> -1.35, loop@500 +0.00 -> -0.32, multi2@500 -0.52
    -> -0.70, recency within 0.08; leave-one-trace-out worst -1.89 -> -2.57 (multi2@1000,
    where setting #2 was picked), mean -0.38 -> -0.27 over 41 sizes. On the shifting trace
    at 100 entries (``test_climber``, seed 3) the period reached 24 and the margin to the
    best reference went over one point (hit ratio 49.23 -> 48.81%; seeds 5 and 7 gained
    0.23 and 0.04): ties also grow the period on the recency traces (to 12 or 24 on stack
    and shifting), so they do not tell loops from drift. A cap of 12 kept shifting@100 at
    49.09 (the test's bound, 49.087) but gave back half of loops@1000 (-1.38) and still
    lost 0.25 on sprite@200 (-1.22) and 0.16 on multi2@500; a cap of 16 kept loops@1000 at
    -1.00 but shifting@100 fell to 48.97; counting only candidates seen three times removed
    every gain. Not kept.
  - Aging tied to the window share (6 + 6 x main share): loops@1000 -0.94, multi2@1000
    -1.21, but sprite@200 -1.64 (window 0.76 -> 0.51: the two adaptations feed each other).
    Not kept.
- A sixth round, each variant run on all 41 trace sizes of ``--real --loo`` (hit ratios are
  deterministic; the shipped code's figures from the same harness: worst -1.73 at loops@1000,
  mean -0.36; held-out over the climber grid worst -1.89, mean -0.38). Columns: loops@1000,
  switch_rf@1000, multi2@1000, multi2@2000, sprite@200, sprite@100, loops@5000; then the
  number of sizes under -1.0 (shipped: -1.73 -1.58 -1.38 -1.33 -0.97 -0.58 -0.94; 4).
  - A doorkeeper (TinyLFU's Bloom filter, 8 bits per increment of an aging period, three
    hashes, cleared at each reset; the first use of a key in a period goes to it, the sketch
    counts the rest, the estimate adds the bit), aging 6: -4.53 -1.63 -1.40 -1.28 -2.01
    -1.67 -7.99; 10 sizes; worst -7.99, mean -0.78; about 40% more CPU per request (process
    time over all sizes, one run under load, not interleaved). Probably because a key's
    first use in a period no longer counts in the sketch, so the loops' keys are forgotten
    sooner. With aging 12: -0.79 -1.54 -1.11 -1.25 -1.38 -0.46 -0.93; 4 sizes; worst -1.54,
    mean -0.27, against -1.33 and -0.21 for aging 12 without it.
  - 8-bit counters (saturating at 255), aging 6: -1.73 -1.88 -1.32 -1.03 -1.27 -0.50 -0.94;
    5 sizes; worst -1.88, mean -0.36; held-out -1.89 / -0.39. Saturation at 15 is not what
    separates loops of 0.7 and 1.2 cache sizes.
  - The period picked by the climber: two more shadows at the real window, aging every 6
    and every 12 shadow capacities; the same sign test (2 standard deviations, evidence kept
    up to ``MAX_EVIDENCE_PERIODS``) moves the cache's own period to the winner's: -1.43 -1.45
    -1.38 -1.33 -1.28 -0.06 -0.93; 5 sizes; worst -1.45, mean -0.27; about 50% more CPU per
    request, measured as for the doorkeeper (two more shadow accesses per sampled request).
    At 3/4/6 standard deviations sprite@200 -1.33/-1.12/-1.11. Worse than a fixed period of
    12 everywhere but sprite.
  - Fixed periods for the adaptive cache alone, 8 to 16 x capacity: 8: -0.80 -1.56
    -1.22 -1.25 -1.07 -0.06 -0.98, 5 sizes, mean -0.25; 9: -1.01 -1.54 -1.14 -1.25 -1.02
    -0.37 -1.42, 6, -0.27; 10: -1.18 -1.48 -1.17 -1.25 -1.12 -0.29 -2.64, 6, -0.29; 12:
    -0.93 -1.29 -1.22 -1.25 -1.33 -0.14 -0.94, 4, -0.21; 16: -0.82 -1.38 -1.20 -1.25 -1.17
    +0.22 -0.94, 4, -0.21; 11: -1.01 -1.37 -1.17 -1.25 -0.87 -0.56 -1.91, 5, -0.24; 14:
    -0.82 -1.37 -1.20 -1.25 -1.22 -0.32 -0.93, 4, -0.23.
    Picked leave-one-trace-out among these, 6 and the climber grid: 12 for every held-out
    trace but switch_rf (16); held-out worst -1.89 -> -1.38 (switch_rf@1000), mean -0.38 ->
    -0.22; zipf_scan +0.13 to +0.27 against static (shipped -0.12 to 0.00), recency worst
    -0.77 -> -0.86. On seeds 1-6 of the synthetic traces (the benchmark uses 7), 12 against
    6: loops@1000 +0.36, switch_rf@1000 +0.20, zipf_scan@200 and @1000 +0.54, stack@200
    +0.18, shifting@200 -0.14 (means of six). CPU per request +1.2 to +1.8% (median of
    three interleaved rounds, process time, extents@5000, zipf_scan@1000, loops@1000; load
    5-8), within the rounds' spread. Not shipped: on the real trace sprite at 200 entries
    it is 1.33 points under the static window, and ``test_simulator`` holds that size to
    one point (every period from 7 to 16 but 11 is over it there, -1.02 to -1.33; 11: -0.87;
    the shipped 6 is -0.97). Real sizes under -1.0: 2 shipped, 3 with 12. It is
    ``ClimbSettings(sketch_sample_factor=12)`` for anyone who wants the trade.
  - A reheated step (simulated annealing's restart of the temperature): when the step has
    decayed below a quarter of ``STEP_PERCENT`` it restarts at full size (every 69
    periods without a workload change), on top of aging 12: -0.93 -1.29 -1.22 -1.25 -1.33
    -0.14 -0.94, 5 sizes, mean -0.29 (aging 12 alone -0.21); loop@250 -0.39 -> -2.63,
    hot_extents@1000 +1.45 -> +0.78. On a stable trace each reheat is a full step away from
    a window that was right.
  - Not repeated: jitter on the admission of a candidate that ties its victim, measured in
    the fourth round (1 in 16 for a reused candidate: loop@500 -2.68).
- A seventh round, after two real traces no setting had seen (``heldout_margins`` in
  ``benchmarks.cache_climb``) showed the shipped cache 2.79 and 2.80 points behind LIRS on a
  VMware block trace (CloudPhysics) at 5000 and 15000 entries. There a block read a few times
  in a burst entered main with a count of 4 or more and then outranked every later candidate
  (rejections of a count-1 or -2 candidate against a victim of 4 or 5: about 27k at 15000
  entries); no window share helped (fixed 1% to 99%: 40.4% at best, LIRS 43.2%), nor
  admission margin 0/1/2 x aging 6/12/24 (at most 40.4%). Shipped: the correlated-reference
  rule of the module docstring at 2%. Each variant on all 41 dev trace sizes and the six
  held-out ones (shipped: dev worst -1.73, mean -0.31; held-out worst -2.80, mean -0.09):
  - No count for any window hit: held-out -1.09 / +1.06, but dev worst -2.43 (switch_rf@1000
    -2.43, switch_fr@1000 +1.39 -> -0.88): a large window's popular keys go uncounted, and
    the shrink after a switch puts them in probation with low counts. With the window hits
    still advancing the aging clock: dev worst -3.08. Only while the window is at most 5%:
    dev -1.73 / -0.30, but shifting@200 -1.07 and sprite@200 -1.21.
  - A correlated-reference period for hits anywhere (main too), 1% and 5% of capacity: dev
    -1.73 / -0.31 and -2.01 / -0.31, sprite@200 -1.13 / -1.37, switch_rf@5000 -1.13 / -0.36.
    For main hits alone (1/5/20%): held-out unchanged (-2.80): the gain is all in the window.
  - Window hits only, period 1% (the first candidate): dev -1.73 / -0.28, held-out -1.67 /
    +0.81, but sprite@200 -1.32, beyond ``test_simulator``'s one point (0.5/1.5/2/3/5% on
    sprite@200: -1.49/-1.23/-0.94/-1.06/-0.81). 5%: dev worst -2.07 (switch_rf@1000), sprite@500
    -1.13; 3%: dev worst -1.80 (switch_rf@1000), sprite@200 -1.17. Measured from the key's
    entry into the window instead of its last use (no write per hit): held-out -1.72 /
    +0.79, dev mean -0.31, switch_rf@5000 -0.56 against 2%.
  - The shipped 2% against no rule on seeds 1-4 of the synthetic traces (the benchmark uses
    7) at 200 and 1000 entries, 48 runs: mean -0.07 points (shifting -0.15 and -0.19,
    switch_rf@200 -0.17, stack@200 -0.14, switch_rf@1000 -0.03, loops and zipf_scan
    unchanged). Seed 7's switch_rf@1000 gain (+0.55) is luck; the gain is on real traces
    (multi2 +0.06 to +0.45, CloudPhysics, Twitter), the cost on synthetic recency.
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
    most 1; Caffeine's simulator's gradient climbers also move by the measured difference):
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
