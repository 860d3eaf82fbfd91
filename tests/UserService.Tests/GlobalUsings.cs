global using FastEndpoints;
global using UserService.Tests.Support;
global using Xunit;
