using Mesh.Agent.Journal;
using Mesh.Agent.Policy;
using Mesh.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Agent;

/// <summary>The agent: one worker holding the link to dispatch, over the delivery engine.</summary>
public static class AgentHost
{
    /// <param name="services">Last changes to the services; tests replace the clock here.</param>
    public static IHost Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Services.AddMeshAgent();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static IServiceCollection AddMeshAgent(this IServiceCollection services)
    {
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<AgentPolicyOptions>().BindConfiguration(AgentPolicyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentPolicyOptions>, AgentPolicyOptionsValidator>();
        services.AddDeliveryEngine(AgentOptions.Section + ":Delivery");
        services.AddSingleton<AgentJournal>();
        services.AddSingleton<SendingPolicy>();
        services.AddSingleton<JobRunner>();
        services.AddHostedService<AgentWorker>();
        // Shutdown must outlast the drain grace period, or jobs in flight would be cut off.
        services.AddOptions<HostOptions>().Configure<IOptions<AgentOptions>>((host, agent) =>
            host.ShutdownTimeout = agent.Value.DrainGrace + TimeSpan.FromSeconds(15));
        return services;
    }

    private sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
    {
        public ValidateOptionsResult Validate(string? name, AgentOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    private sealed class AgentPolicyOptionsValidator : IValidateOptions<AgentPolicyOptions>
    {
        public ValidateOptionsResult Validate(string? name, AgentPolicyOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
