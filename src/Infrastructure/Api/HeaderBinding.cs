using System.Collections.Concurrent;
using System.Reflection;
using FastEndpoints;

namespace UserService.Infrastructure.Api;

/// <summary>
/// A property marked <c>[FromHeader]</c> binds from its header and from nowhere else: FastEndpoints would also fill it
/// from a query-string parameter or a JSON member of the same name (<c>?ifMatch=…</c>), so after binding each such
/// property is set again from the header alone (null when the header is absent).
/// </summary>
internal static class HeaderBinding
{
    static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Header)[]> HeaderProperties = new();

    public static void Rebind(object request, Type type, BinderContext context, CancellationToken _)
    {
        foreach (var (property, header) in HeaderProperties.GetOrAdd(type, Find))
        {
            var values = context.HttpContext.Request.Headers[header];
            property.SetValue(request, values.Count == 0 ? null : values.ToString());
        }
    }

    static (PropertyInfo, string)[] Find(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite)
            .Select(p => (p, p.GetCustomAttribute<FromHeaderAttribute>()?.HeaderName))
            .Where(x => x.HeaderName is not null)
            .Select(x => (x.p, x.HeaderName!)),
    ];
}
