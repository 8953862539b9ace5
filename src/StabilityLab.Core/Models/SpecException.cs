namespace StabilityLab.Models;

/// <summary>A bad user input: the message is one line that names the problem.</summary>
public sealed class SpecException(string message) : Exception(message);
