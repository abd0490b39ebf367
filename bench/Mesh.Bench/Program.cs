using Mesh.Bench;

// dotnet run -c Release --project bench/Mesh.Bench -- [pipeline|dkim|sign|render|smtp|agent|agentlink|all] [--messages N] [--senders C] [--rounds R] [--redis host:port]
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var messages = int.Parse(Option("--messages") ?? "2000", System.Globalization.CultureInfo.InvariantCulture);
var senders = int.Parse(Option("--senders") ?? "32", System.Globalization.CultureInfo.InvariantCulture);
var rounds = int.Parse(Option("--rounds") ?? "5", System.Globalization.CultureInfo.InvariantCulture);
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
if (what is "dkim" or "all")
{
    DkimBench.Run(rounds);
}

if (what is "sign" or "all")
{
    await SignBench.RunAsync(rounds);
}

if (what is "render" or "all")
{
    RenderBench.Run(rounds);
}

if (what is "smtp" or "all")
{
    await SmtpBench.RunAsync(rounds);
}

if (what is "agent" or "all")
{
    await AgentBench.RunAsync(rounds, Math.Min(messages, 5000));
}

if (what is "agentlink" or "all")
{
    await AgentLinkBench.RunAsync(rounds, Math.Min(messages, 3000));
}

if (what is "pipeline" or "all")
{
    await PipelineBench.RunAsync(messages, senders, Option("--redis"));
}
