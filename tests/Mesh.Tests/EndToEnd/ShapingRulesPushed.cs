using Mesh.Agent.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>Dispatch pushes its configured shaping rules to each agent right after the welcome.</summary>
public sealed class ShapingRulesPushed
{
    [Fact]
    public async Task Connect_RulesConfigured_SentAfterWelcome()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet, new Dictionary<string, string?>
        {
            ["Mesh:Dispatch:ShapingRules:0:MxSuffix"] = "Google.com",
            ["Mesh:Dispatch:ShapingRules:0:MessagesPerMinute"] = "120",
            ["Mesh:Dispatch:ShapingRules:0:SuspendSeconds"] = "900",
        });
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var agent = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "raw", credits: 1);

        Assert.Equal(DispatchMessage.KindOneofCase.Welcome, (await agent.ReadAsync()).KindCase);
        var rules = (await agent.ReadAsync()).ShapingRules;

        var rule = Assert.Single(rules.Rules);
        Assert.Equal(("google.com", 120u, 0u, 900u), (rule.MxSuffix, rule.MessagesPerMinute, rule.MaxConnections, rule.SuspendSeconds));
    }
}
