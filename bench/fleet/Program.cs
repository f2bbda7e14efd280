using System.Diagnostics;
using System.Globalization;
using Registry.Bench.Fleet;

// A fleet of simulated training jobs against one MLflow tracking server (see TrainingJob), one thread and one
// connection per job. Prints one line of key=value results on stdout; the most frequent failures go to stderr.
FleetOptions options;
try
{
    options = FleetOptions.Parse(args);
}
catch (Exception error) when (error is ArgumentException or FormatException)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

var recorder = new FleetRecorder();
var trackingPath = options.TrackingBase.AbsolutePath.TrimEnd('/');
Tracker NewTracker() => new(new JobConnection(options.TrackingBase.Host, options.TrackingBase.Port, options.Token), trackingPath, recorder);

string? experimentId;
using (var tracker = NewTracker())
{
    experimentId = tracker.CreateExperiment($"fleet-{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}-{options.Jobs}");
}
if (experimentId is null)
{
    Console.Error.WriteLine(string.Join('\n', recorder.TopFailures(1)));
    return 1;
}

var artifact = new byte[options.ArtifactBytes];
new Random(1).NextBytes(artifact);
var jobs = Enumerable.Range(0, options.Jobs).Select(i => new TrainingJob(i, options, NewTracker(), experimentId, artifact)).ToArray();
var clock = Stopwatch.StartNew();
var threads = jobs.Select(job => new Thread(() => job.Run(clock), maxStackSize: 256 * 1024) { IsBackground = true }).ToArray();
foreach (var thread in threads)
{
    thread.Start();
}
var steadyCpu = SteadyCpu(clock, options);
foreach (var thread in threads)
{
    thread.Join();
}

var latencies = jobs.SelectMany(job => job.SteadyLatencies).Order().ToArray();
var artifacts = jobs.Where(job => job.ArtifactMilliseconds is not null).Select(job => job.ArtifactMilliseconds!.Value).Order().ToArray();
var results = new (string Name, object Value)[]
{
    ("jobs", options.Jobs),
    ("seconds", options.Duration.TotalSeconds),
    ("steady_seconds", options.Steady.TotalSeconds),
    ("points_per_s", jobs.Sum(job => job.SteadyPointsLogged) / options.Steady.TotalSeconds),
    ("expected_points_per_s", options.Jobs * options.MetricsPerStep),
    ("logbatch_steady", latencies.Length),
    ("logbatch_p50_ms", Percentile(latencies, 0.50)),
    ("logbatch_p99_ms", Percentile(latencies, 0.99)),
    ("logbatch_max_ms", latencies.LastOrDefault()),
    ("errors", recorder.Errors),
    ("runs_created", recorder.Count("runs/create")),
    ("runs_finished", recorder.Count("runs/update")),
    ("artifact_p50_ms", Percentile(artifacts, 0.50)),
    ("artifact_max_ms", artifacts.LastOrDefault()),
    ("overruns", jobs.Sum(job => job.Overruns)),
    ("late_sends", jobs.Sum(job => job.LateSends)),
    ("generator_cpu_pct", 100 * steadyCpu.TotalSeconds / options.Steady.TotalSeconds),
};
Console.WriteLine(string.Join(' ', results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name}={r.Value:0.##}"))));
foreach (var failure in recorder.TopFailures(5))
{
    Console.Error.WriteLine($"fleet: {failure}");
}
return 0;

// The generator's own CPU time over the steady window (its start-up and JIT are not load it puts on the machine
// while the figures are taken), measured from the main thread while the jobs run.
static TimeSpan SteadyCpu(Stopwatch clock, FleetOptions options)
{
    TrainingJob.Until(clock, options.Ramp);
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    TrainingJob.Until(clock, options.Duration);
    return Process.GetCurrentProcess().TotalProcessorTime - before;
}

// Nearest rank: the smallest latency at or above the given share of all.
static double Percentile(double[] sorted, double share) =>
    sorted.Length == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(share * sorted.Length) - 1)];
