using Mesh.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Sign;

public static class SignExtensions
{
    public static IServiceCollection AddSign(this IServiceCollection services)
    {
        services.AddMeshStore();
        // A missing or malformed KEK stops the host at start, not at the first message.
        services.AddOptions<SignOptions>().BindConfiguration(SignOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignOptions>, SignOptionsValidator>();
        services.AddSingleton(sp => new KeyEncryption(sp.GetRequiredService<IOptions<SignOptions>>().Value.KeyEncryptionKeyBytes()));
        services.AddSingleton<DkimKeyStore>();
        services.AddSingleton<DkimKeyLifecycle>();
        // A KEK that is well-formed but not this store's stops it too (KeyCheck).
        services.AddHostedService<KeyCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapSign(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<SignGrpcService>();
        return endpoints;
    }

    private sealed class SignOptionsValidator : IValidateOptions<SignOptions>
    {
        public ValidateOptionsResult Validate(string? name, SignOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
