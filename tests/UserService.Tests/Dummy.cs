public class Dummy { [Xunit.Fact] public void T() { } }
