using System.Runtime.CompilerServices;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// Bounds every await in a test, so that a hang fails the test instead of stalling CI
/// (grpc-dotnet's <c>DefaultTimeout()</c>).
/// </summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task DefaultTimeout(
        this Task task,
        [CallerFilePath] string filePath = "",
        [CallerLineNumber] int lineNumber = 0) =>
        task.TimeoutAfter(Default, filePath, lineNumber);

    public static Task<T> DefaultTimeout<T>(
        this Task<T> task,
        [CallerFilePath] string filePath = "",
        [CallerLineNumber] int lineNumber = 0) =>
        task.TimeoutAfter(Default, filePath, lineNumber);

    public static async Task TimeoutAfter(
        this Task task,
        TimeSpan timeout,
        [CallerFilePath] string filePath = "",
        [CallerLineNumber] int lineNumber = 0)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException ex) when (!task.IsCompleted)
        {
            throw CreateTimeoutException(timeout, filePath, lineNumber, ex);
        }
    }

    public static async Task<T> TimeoutAfter<T>(
        this Task<T> task,
        TimeSpan timeout,
        [CallerFilePath] string filePath = "",
        [CallerLineNumber] int lineNumber = 0)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException ex) when (!task.IsCompleted)
        {
            throw CreateTimeoutException(timeout, filePath, lineNumber, ex);
        }
    }

    private static TimeoutException CreateTimeoutException(
        TimeSpan timeout, string filePath, int lineNumber, TimeoutException inner) =>
        new($"The awaited task at {Path.GetFileName(filePath)}:{lineNumber} did not complete within {timeout}.", inner);
}
