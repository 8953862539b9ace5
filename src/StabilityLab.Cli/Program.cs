using StabilityLab.Cli;

return CliApp.Run(args);
