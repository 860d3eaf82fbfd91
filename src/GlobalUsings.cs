global using UserService.Infrastructure.Api;
global using UserService.Infrastructure.Database;
global using UserService.Infrastructure.Errors;
global using UserService.Infrastructure.Health;
global using UserService.Infrastructure.Hosting;
global using UserService.Infrastructure.Http;
global using UserService.Infrastructure.Observability;
global using UserService.Infrastructure.Security;
