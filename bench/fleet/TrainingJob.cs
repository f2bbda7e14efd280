using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Registry.Bench.Fleet;

/// <summary>
/// One simulated training job: creates its run with the client's system tags, logs params and tags, then logs
/// <see cref="FleetOptions.MetricsPerStep"/> metrics with one log-batch a second until the run's end, uploads an
/// artifact and finishes the run. Jobs start spread over the ramp, so their seconds are spread too.
/// </summary>
internal sealed class TrainingJob(int index, FleetOptions options, Tracker tracker, string experimentId, byte[] artifact)
{
    private static readonly string[] MetricNames =
        ["loss", "val_loss", "accuracy", "val_accuracy", "learning_rate", "grad_norm", "samples_per_second", "gpu_utilization", "gpu_memory", "epoch"];

    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(50);

    private readonly Random random = new(index);

    /// <summary>Log-batch latencies (ms) of the steps due in the steady window.</summary>
    public List<double> SteadyLatencies { get; } = [];

    public long SteadyPointsLogged { get; private set; }

    /// <summary>Steps this process sent over 50 ms after they were due with nothing of its own in the way: the generator was starved.</summary>
    public int LateSends { get; private set; }

    /// <summary>Steps due while the previous log-batch was still waiting for the server.</summary>
    public int Overruns { get; private set; }

    public double? ArtifactMilliseconds { get; private set; }

    /// <summary>Runs on the job's own thread, blocking on its clock and its connection.</summary>
    public void Run(Stopwatch clock)
    {
        using var _ = tracker;
        var start = options.Ramp * index / options.Jobs;
        Until(clock, start);
        var run = tracker.CreateRun(experimentId, $"fleet-{index}", SystemTags());
        if (run is null)
        {
            return;
        }
        tracker.LogBatch(ParamsAndTags(run.RunId));

        var previousDone = clock.Elapsed;
        for (var step = 1; start + TimeSpan.FromSeconds(step) < options.Duration; step++)
        {
            var due = start + TimeSpan.FromSeconds(step);
            Until(clock, due);
            var sent = clock.Elapsed;
            var overran = previousDone > due;
            if (overran)
            {
                Overruns++;
            }
            else if (sent - due > Late)
            {
                LateSends++;
            }

            var logged = tracker.LogBatch(Metrics(run.RunId, step));
            previousDone = clock.Elapsed;
            if (due >= options.Ramp)
            {
                // A step held back by the previous one's overrun is timed from when it was due, not from when it
                // could go out: otherwise a server that stalls would hide the wait it caused (coordinated omission).
                SteadyLatencies.Add((previousDone - (overran ? due : sent)).TotalMilliseconds);
                SteadyPointsLogged += logged ? options.MetricsPerStep : 0;
            }
        }

        var uploading = clock.Elapsed;
        if (tracker.Upload(run, "model.bin", artifact))
        {
            ArtifactMilliseconds = (clock.Elapsed - uploading).TotalMilliseconds;
        }
        tracker.Finish(run);
    }

    public static void Until(Stopwatch clock, TimeSpan due)
    {
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }
    }

    /// <summary>What the mlflow client sets when a script starts a run.</summary>
    private KeyValuePair<string, string>[] SystemTags() =>
    [
        new("mlflow.user", $"trainer-{index % 20}"),
        new("mlflow.source.name", "train.py"),
        new("mlflow.source.type", "LOCAL"),
        new("mlflow.source.git.commit", $"{index:x8}a5c1d0e2f3b4a5c6d7e8f9a0b1c2d3e4"[..40]),
    ];

    private string ParamsAndTags(string runId)
    {
        var body = new StringBuilder($$"""{"run_id":"{{runId}}","params":[""");
        Tracker.AppendPairs(body,
        [
            new("learning_rate", "0.001"), new("batch_size", "64"), new("epochs", "100"), new("optimizer", "adamw"),
            new("weight_decay", "0.01"), new("dropout", "0.1"), new("model", "resnet50"), new("seed", index.ToString(CultureInfo.InvariantCulture)),
            new("warmup_steps", "500"), new("dataset", "imagenet-1k"),
        ]);
        body.Append("""],"tags":[""");
        Tracker.AppendPairs(body, [new("team", $"team-{index % 8}"), new("purpose", "fleet benchmark")]);
        return body.Append("]}").ToString();
    }

    private string Metrics(string runId, int step)
    {
        var now = Tracker.Now();
        var body = new StringBuilder($$"""{"run_id":"{{runId}}","metrics":[""");
        for (var i = 0; i < options.MetricsPerStep; i++)
        {
            var name = i < MetricNames.Length ? MetricNames[i] : $"metric_{i}";
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"key":"{{name}}","value":{{random.NextDouble():R}},"timestamp":{{now}},"step":{{step}}}""");
        }
        return body.Append("]}").ToString();
    }
}
