namespace UserService.Tests.Support;

/// <summary>A figure for the test's output (shown with <c>--output Detailed</c>), such as the statuses a limit gave.</summary>
internal static class TestReport
{
    public static void Line(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
