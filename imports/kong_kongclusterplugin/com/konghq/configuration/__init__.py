from __future__ import annotations

from pkgutil import extend_path
__path__ = extend_path(__path__, __name__)

import abc
import builtins
import datetime
import enum
import typing

import jsii
import publication
import typing_extensions

from jsii._type_checking import cached_type_hints, check_type


from ._jsii import *

class _LazyImport:
    def __init__(self, module_name: str) -> None:
        self._module_name = module_name
        self._module: typing.Any = None
    def __getattr__(self, name: str) -> typing.Any:
        if self._module is None:
            import importlib
            self._module = importlib.import_module(self._module_name)
        return getattr(self._module, name)

if typing.TYPE_CHECKING:

    import cdk8s as _cdk8s_d3d9af27
    import constructs as _constructs_77d1e7e8
else:

    _cdk8s_d3d9af27 = _LazyImport("cdk8s")
    _constructs_77d1e7e8 = _LazyImport("constructs")


class KongClusterPlugin(
    _cdk8s_d3d9af27.ApiObject,
    metaclass=jsii.JSIIMeta,
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPlugin",
):
    '''KongClusterPlugin is the Schema for the kongclusterplugins API.

    :schema: KongClusterPlugin
    '''

    def __init__(
        self,
        scope: "_constructs_77d1e7e8.Construct",
        id: builtins.str,
        *,
        plugin: builtins.str,
        config: typing.Any = None,
        config_from: typing.Optional[typing.Union["KongClusterPluginConfigFrom", typing.Dict[builtins.str, typing.Any]]] = None,
        config_patches: typing.Optional[typing.Sequence[typing.Union["KongClusterPluginConfigPatches", typing.Dict[builtins.str, typing.Any]]]] = None,
        consumer_ref: typing.Optional[builtins.str] = None,
        disabled: typing.Optional[builtins.bool] = None,
        instance_name: typing.Optional[builtins.str] = None,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        ordering: typing.Optional[typing.Union["KongClusterPluginOrdering", typing.Dict[builtins.str, typing.Any]]] = None,
        protocols: typing.Optional[typing.Sequence["KongClusterPluginProtocols"]] = None,
        run_on: typing.Optional["KongClusterPluginRunOn"] = None,
    ) -> None:
        '''Defines a "KongClusterPlugin" API object.

        :param scope: the scope in which to define this object.
        :param id: a scope-local name for the object.
        :param plugin: PluginName is the name of the plugin to which to apply the config.
        :param config: Config contains the plugin configuration. It's a list of keys and values required to configure the plugin. Please read the documentation of the plugin being configured to set values in here. For any plugin in Kong, anything that goes in the ``config`` JSON key in the Admin API request, goes into this property. Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.
        :param config_from: ConfigFrom references a secret containing the plugin configuration. This should be used when the plugin configuration contains sensitive information, such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin. Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.
        :param config_patches: ConfigPatches represents JSON patches to the configuration of the plugin. Each item means a JSON patch to add something in the configuration, where path is specified in ``path`` and value is in ``valueFrom`` referencing a key in a secret. When Config is specified, patches will be applied to the configuration in Config. Otherwise, patches will be applied to an empty object.
        :param consumer_ref: ConsumerRef is a reference to a particular consumer.
        :param disabled: Disabled set if the plugin is disabled or not.
        :param instance_name: InstanceName is an optional custom name to identify an instance of the plugin. This is useful when running the same plugin in multiple contexts, for example, on multiple services.
        :param metadata: 
        :param ordering: Ordering overrides the normal plugin execution order. It's only available on Kong Enterprise. ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin. For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]`` will create a rate limiting plugin that limits requests *before* they are authenticated.
        :param protocols: Protocols configures plugin to run on requests received on specific protocols.
        :param run_on: RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__3ec1b9f18fe883aafb0d18988e460e52c7c2e26a7326f5f83b19ad17fa68614e)
            check_type(argname="argument scope", value=scope, expected_type=type_hints["scope"])
            check_type(argname="argument id", value=id, expected_type=type_hints["id"])
        props = KongClusterPluginProps(
            plugin=plugin,
            config=config,
            config_from=config_from,
            config_patches=config_patches,
            consumer_ref=consumer_ref,
            disabled=disabled,
            instance_name=instance_name,
            metadata=metadata,
            ordering=ordering,
            protocols=protocols,
            run_on=run_on,
        )

        jsii.create(self.__class__, self, [scope, id, props])

    @jsii.member(jsii_name="manifest")
    @builtins.classmethod
    def manifest(
        cls,
        *,
        plugin: builtins.str,
        config: typing.Any = None,
        config_from: typing.Optional[typing.Union["KongClusterPluginConfigFrom", typing.Dict[builtins.str, typing.Any]]] = None,
        config_patches: typing.Optional[typing.Sequence[typing.Union["KongClusterPluginConfigPatches", typing.Dict[builtins.str, typing.Any]]]] = None,
        consumer_ref: typing.Optional[builtins.str] = None,
        disabled: typing.Optional[builtins.bool] = None,
        instance_name: typing.Optional[builtins.str] = None,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        ordering: typing.Optional[typing.Union["KongClusterPluginOrdering", typing.Dict[builtins.str, typing.Any]]] = None,
        protocols: typing.Optional[typing.Sequence["KongClusterPluginProtocols"]] = None,
        run_on: typing.Optional["KongClusterPluginRunOn"] = None,
    ) -> typing.Any:
        '''Renders a Kubernetes manifest for "KongClusterPlugin".

        This can be used to inline resource manifests inside other objects (e.g. as templates).

        :param plugin: PluginName is the name of the plugin to which to apply the config.
        :param config: Config contains the plugin configuration. It's a list of keys and values required to configure the plugin. Please read the documentation of the plugin being configured to set values in here. For any plugin in Kong, anything that goes in the ``config`` JSON key in the Admin API request, goes into this property. Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.
        :param config_from: ConfigFrom references a secret containing the plugin configuration. This should be used when the plugin configuration contains sensitive information, such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin. Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.
        :param config_patches: ConfigPatches represents JSON patches to the configuration of the plugin. Each item means a JSON patch to add something in the configuration, where path is specified in ``path`` and value is in ``valueFrom`` referencing a key in a secret. When Config is specified, patches will be applied to the configuration in Config. Otherwise, patches will be applied to an empty object.
        :param consumer_ref: ConsumerRef is a reference to a particular consumer.
        :param disabled: Disabled set if the plugin is disabled or not.
        :param instance_name: InstanceName is an optional custom name to identify an instance of the plugin. This is useful when running the same plugin in multiple contexts, for example, on multiple services.
        :param metadata: 
        :param ordering: Ordering overrides the normal plugin execution order. It's only available on Kong Enterprise. ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin. For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]`` will create a rate limiting plugin that limits requests *before* they are authenticated.
        :param protocols: Protocols configures plugin to run on requests received on specific protocols.
        :param run_on: RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.
        '''
        props = KongClusterPluginProps(
            plugin=plugin,
            config=config,
            config_from=config_from,
            config_patches=config_patches,
            consumer_ref=consumer_ref,
            disabled=disabled,
            instance_name=instance_name,
            metadata=metadata,
            ordering=ordering,
            protocols=protocols,
            run_on=run_on,
        )

        return typing.cast(typing.Any, jsii.sinvoke(cls, "manifest", [props]))

    @jsii.member(jsii_name="toJson")
    def to_json(self) -> typing.Any:
        '''Renders the object to Kubernetes JSON.'''
        return typing.cast(typing.Any, jsii.invoke(self, "toJson", []))

    @jsii.python.classproperty
    @jsii.member(jsii_name="GVK")
    def GVK(cls) -> "_cdk8s_d3d9af27.GroupVersionKind":
        '''Returns the apiVersion and kind for "KongClusterPlugin".'''
        return typing.cast("_cdk8s_d3d9af27.GroupVersionKind", jsii.sget(cls, "GVK"))


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginConfigFrom",
    jsii_struct_bases=[],
    name_mapping={"secret_key_ref": "secretKeyRef"},
)
class KongClusterPluginConfigFrom:
    def __init__(
        self,
        *,
        secret_key_ref: typing.Union["KongClusterPluginConfigFromSecretKeyRef", typing.Dict[builtins.str, typing.Any]],
    ) -> None:
        '''ConfigFrom references a secret containing the plugin configuration.

        This should be used when the plugin configuration contains sensitive information,
        such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin.
        Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.

        :param secret_key_ref: Specifies a name, a namespace, and a key of a secret to refer to.

        :schema: KongClusterPluginConfigFrom
        '''
        if isinstance(secret_key_ref, dict):
            secret_key_ref = KongClusterPluginConfigFromSecretKeyRef(**secret_key_ref)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__c0dde5ba3d2f98a7ce4e2033d99b844d4ead85604e3bcbc51406d6d3f472a7a6)
            check_type(argname="argument secret_key_ref", value=secret_key_ref, expected_type=type_hints["secret_key_ref"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "secret_key_ref": secret_key_ref,
        }

    @builtins.property
    def secret_key_ref(self) -> "KongClusterPluginConfigFromSecretKeyRef":
        '''Specifies a name, a namespace, and a key of a secret to refer to.

        :schema: KongClusterPluginConfigFrom#secretKeyRef
        '''
        result = self._values.get("secret_key_ref")
        assert result is not None, "Required property 'secret_key_ref' is missing"
        return typing.cast("KongClusterPluginConfigFromSecretKeyRef", result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginConfigFrom(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginConfigFromSecretKeyRef",
    jsii_struct_bases=[],
    name_mapping={"key": "key", "name": "name", "namespace": "namespace"},
)
class KongClusterPluginConfigFromSecretKeyRef:
    def __init__(
        self,
        *,
        key: builtins.str,
        name: builtins.str,
        namespace: builtins.str,
    ) -> None:
        '''Specifies a name, a namespace, and a key of a secret to refer to.

        :param key: The key containing the value.
        :param name: The secret containing the key.
        :param namespace: The namespace containing the secret.

        :schema: KongClusterPluginConfigFromSecretKeyRef
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__a88c2f0802858d3b71bc450c6121ff37ed823b07cbda9781502773f525feef14)
            check_type(argname="argument key", value=key, expected_type=type_hints["key"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument namespace", value=namespace, expected_type=type_hints["namespace"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "key": key,
            "name": name,
            "namespace": namespace,
        }

    @builtins.property
    def key(self) -> builtins.str:
        '''The key containing the value.

        :schema: KongClusterPluginConfigFromSecretKeyRef#key
        '''
        result = self._values.get("key")
        assert result is not None, "Required property 'key' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def name(self) -> builtins.str:
        '''The secret containing the key.

        :schema: KongClusterPluginConfigFromSecretKeyRef#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def namespace(self) -> builtins.str:
        '''The namespace containing the secret.

        :schema: KongClusterPluginConfigFromSecretKeyRef#namespace
        '''
        result = self._values.get("namespace")
        assert result is not None, "Required property 'namespace' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginConfigFromSecretKeyRef(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginConfigPatches",
    jsii_struct_bases=[],
    name_mapping={"path": "path", "value_from": "valueFrom"},
)
class KongClusterPluginConfigPatches:
    def __init__(
        self,
        *,
        path: builtins.str,
        value_from: typing.Union["KongClusterPluginConfigPatchesValueFrom", typing.Dict[builtins.str, typing.Any]],
    ) -> None:
        '''NamespacedConfigPatch is a JSON patch to add values from secrets to KongClusterPlugin to the generated configuration of plugin in Kong.

        :param path: Path is the JSON path to add the patch.
        :param value_from: ValueFrom is the reference to a key of a secret where the patched value comes from.

        :schema: KongClusterPluginConfigPatches
        '''
        if isinstance(value_from, dict):
            value_from = KongClusterPluginConfigPatchesValueFrom(**value_from)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__e2e09616f9f75aa221a2941f96d7feaa2c52a4fa99864fd1eecdfcc43fd40d71)
            check_type(argname="argument path", value=path, expected_type=type_hints["path"])
            check_type(argname="argument value_from", value=value_from, expected_type=type_hints["value_from"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "path": path,
            "value_from": value_from,
        }

    @builtins.property
    def path(self) -> builtins.str:
        '''Path is the JSON path to add the patch.

        :schema: KongClusterPluginConfigPatches#path
        '''
        result = self._values.get("path")
        assert result is not None, "Required property 'path' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def value_from(self) -> "KongClusterPluginConfigPatchesValueFrom":
        '''ValueFrom is the reference to a key of a secret where the patched value comes from.

        :schema: KongClusterPluginConfigPatches#valueFrom
        '''
        result = self._values.get("value_from")
        assert result is not None, "Required property 'value_from' is missing"
        return typing.cast("KongClusterPluginConfigPatchesValueFrom", result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginConfigPatches(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginConfigPatchesValueFrom",
    jsii_struct_bases=[],
    name_mapping={"secret_key_ref": "secretKeyRef"},
)
class KongClusterPluginConfigPatchesValueFrom:
    def __init__(
        self,
        *,
        secret_key_ref: typing.Union["KongClusterPluginConfigPatchesValueFromSecretKeyRef", typing.Dict[builtins.str, typing.Any]],
    ) -> None:
        '''ValueFrom is the reference to a key of a secret where the patched value comes from.

        :param secret_key_ref: Specifies a name, a namespace, and a key of a secret to refer to.

        :schema: KongClusterPluginConfigPatchesValueFrom
        '''
        if isinstance(secret_key_ref, dict):
            secret_key_ref = KongClusterPluginConfigPatchesValueFromSecretKeyRef(**secret_key_ref)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__d568ee18f86e217c76a88b22e4ca622f4722bd917f31ad8d466a3a386dbacda7)
            check_type(argname="argument secret_key_ref", value=secret_key_ref, expected_type=type_hints["secret_key_ref"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "secret_key_ref": secret_key_ref,
        }

    @builtins.property
    def secret_key_ref(self) -> "KongClusterPluginConfigPatchesValueFromSecretKeyRef":
        '''Specifies a name, a namespace, and a key of a secret to refer to.

        :schema: KongClusterPluginConfigPatchesValueFrom#secretKeyRef
        '''
        result = self._values.get("secret_key_ref")
        assert result is not None, "Required property 'secret_key_ref' is missing"
        return typing.cast("KongClusterPluginConfigPatchesValueFromSecretKeyRef", result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginConfigPatchesValueFrom(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginConfigPatchesValueFromSecretKeyRef",
    jsii_struct_bases=[],
    name_mapping={"key": "key", "name": "name", "namespace": "namespace"},
)
class KongClusterPluginConfigPatchesValueFromSecretKeyRef:
    def __init__(
        self,
        *,
        key: builtins.str,
        name: builtins.str,
        namespace: builtins.str,
    ) -> None:
        '''Specifies a name, a namespace, and a key of a secret to refer to.

        :param key: The key containing the value.
        :param name: The secret containing the key.
        :param namespace: The namespace containing the secret.

        :schema: KongClusterPluginConfigPatchesValueFromSecretKeyRef
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__e8d4ff54b866ee44627271ca36ce27ebef879bc17ddd5e4c8b51b4f37aabfa12)
            check_type(argname="argument key", value=key, expected_type=type_hints["key"])
            check_type(argname="argument name", value=name, expected_type=type_hints["name"])
            check_type(argname="argument namespace", value=namespace, expected_type=type_hints["namespace"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "key": key,
            "name": name,
            "namespace": namespace,
        }

    @builtins.property
    def key(self) -> builtins.str:
        '''The key containing the value.

        :schema: KongClusterPluginConfigPatchesValueFromSecretKeyRef#key
        '''
        result = self._values.get("key")
        assert result is not None, "Required property 'key' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def name(self) -> builtins.str:
        '''The secret containing the key.

        :schema: KongClusterPluginConfigPatchesValueFromSecretKeyRef#name
        '''
        result = self._values.get("name")
        assert result is not None, "Required property 'name' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def namespace(self) -> builtins.str:
        '''The namespace containing the secret.

        :schema: KongClusterPluginConfigPatchesValueFromSecretKeyRef#namespace
        '''
        result = self._values.get("namespace")
        assert result is not None, "Required property 'namespace' is missing"
        return typing.cast(builtins.str, result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginConfigPatchesValueFromSecretKeyRef(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginOrdering",
    jsii_struct_bases=[],
    name_mapping={"after": "after", "before": "before"},
)
class KongClusterPluginOrdering:
    def __init__(
        self,
        *,
        after: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
        before: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
    ) -> None:
        '''Ordering overrides the normal plugin execution order.

        It's only available on Kong Enterprise.
        ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and
        ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin.
        For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]``
        will create a rate limiting plugin that limits requests *before* they are authenticated.

        :param after: PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.
        :param before: PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.

        :schema: KongClusterPluginOrdering
        '''
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__ce4822527f74844ca2ae168747235d0fabf136d54fae237ea0bec881d427e3f9)
            check_type(argname="argument after", value=after, expected_type=type_hints["after"])
            check_type(argname="argument before", value=before, expected_type=type_hints["before"])
        self._values: typing.Dict[builtins.str, typing.Any] = {}
        if after is not None:
            self._values["after"] = after
        if before is not None:
            self._values["before"] = before

    @builtins.property
    def after(
        self,
    ) -> typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]]:
        '''PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.

        :schema: KongClusterPluginOrdering#after
        '''
        result = self._values.get("after")
        return typing.cast(typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]], result)

    @builtins.property
    def before(
        self,
    ) -> typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]]:
        '''PluginOrderingPhase indicates which plugins in a phase should affect the target plugin's order.

        :schema: KongClusterPluginOrdering#before
        '''
        result = self._values.get("before")
        return typing.cast(typing.Optional[typing.Mapping[builtins.str, typing.List[builtins.str]]], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginOrdering(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.data_type(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginProps",
    jsii_struct_bases=[],
    name_mapping={
        "plugin": "plugin",
        "config": "config",
        "config_from": "configFrom",
        "config_patches": "configPatches",
        "consumer_ref": "consumerRef",
        "disabled": "disabled",
        "instance_name": "instanceName",
        "metadata": "metadata",
        "ordering": "ordering",
        "protocols": "protocols",
        "run_on": "runOn",
    },
)
class KongClusterPluginProps:
    def __init__(
        self,
        *,
        plugin: builtins.str,
        config: typing.Any = None,
        config_from: typing.Optional[typing.Union["KongClusterPluginConfigFrom", typing.Dict[builtins.str, typing.Any]]] = None,
        config_patches: typing.Optional[typing.Sequence[typing.Union["KongClusterPluginConfigPatches", typing.Dict[builtins.str, typing.Any]]]] = None,
        consumer_ref: typing.Optional[builtins.str] = None,
        disabled: typing.Optional[builtins.bool] = None,
        instance_name: typing.Optional[builtins.str] = None,
        metadata: typing.Optional[typing.Union["_cdk8s_d3d9af27.ApiObjectMetadata", typing.Dict[builtins.str, typing.Any]]] = None,
        ordering: typing.Optional[typing.Union["KongClusterPluginOrdering", typing.Dict[builtins.str, typing.Any]]] = None,
        protocols: typing.Optional[typing.Sequence["KongClusterPluginProtocols"]] = None,
        run_on: typing.Optional["KongClusterPluginRunOn"] = None,
    ) -> None:
        '''KongClusterPlugin is the Schema for the kongclusterplugins API.

        :param plugin: PluginName is the name of the plugin to which to apply the config.
        :param config: Config contains the plugin configuration. It's a list of keys and values required to configure the plugin. Please read the documentation of the plugin being configured to set values in here. For any plugin in Kong, anything that goes in the ``config`` JSON key in the Admin API request, goes into this property. Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.
        :param config_from: ConfigFrom references a secret containing the plugin configuration. This should be used when the plugin configuration contains sensitive information, such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin. Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.
        :param config_patches: ConfigPatches represents JSON patches to the configuration of the plugin. Each item means a JSON patch to add something in the configuration, where path is specified in ``path`` and value is in ``valueFrom`` referencing a key in a secret. When Config is specified, patches will be applied to the configuration in Config. Otherwise, patches will be applied to an empty object.
        :param consumer_ref: ConsumerRef is a reference to a particular consumer.
        :param disabled: Disabled set if the plugin is disabled or not.
        :param instance_name: InstanceName is an optional custom name to identify an instance of the plugin. This is useful when running the same plugin in multiple contexts, for example, on multiple services.
        :param metadata: 
        :param ordering: Ordering overrides the normal plugin execution order. It's only available on Kong Enterprise. ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin. For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]`` will create a rate limiting plugin that limits requests *before* they are authenticated.
        :param protocols: Protocols configures plugin to run on requests received on specific protocols.
        :param run_on: RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.

        :schema: KongClusterPlugin
        '''
        if isinstance(config_from, dict):
            config_from = KongClusterPluginConfigFrom(**config_from)
        if isinstance(metadata, dict):
            metadata = _cdk8s_d3d9af27.ApiObjectMetadata(**metadata)
        if isinstance(ordering, dict):
            ordering = KongClusterPluginOrdering(**ordering)
        if __debug__:
            type_hints = cached_type_hints(_typecheckingstub__2b110106adb93d8e4eb024b70a5c76a1560062d60a4c3256f85304f3ebf7f5ad)
            check_type(argname="argument plugin", value=plugin, expected_type=type_hints["plugin"])
            check_type(argname="argument config", value=config, expected_type=type_hints["config"])
            check_type(argname="argument config_from", value=config_from, expected_type=type_hints["config_from"])
            check_type(argname="argument config_patches", value=config_patches, expected_type=type_hints["config_patches"])
            check_type(argname="argument consumer_ref", value=consumer_ref, expected_type=type_hints["consumer_ref"])
            check_type(argname="argument disabled", value=disabled, expected_type=type_hints["disabled"])
            check_type(argname="argument instance_name", value=instance_name, expected_type=type_hints["instance_name"])
            check_type(argname="argument metadata", value=metadata, expected_type=type_hints["metadata"])
            check_type(argname="argument ordering", value=ordering, expected_type=type_hints["ordering"])
            check_type(argname="argument protocols", value=protocols, expected_type=type_hints["protocols"])
            check_type(argname="argument run_on", value=run_on, expected_type=type_hints["run_on"])
        self._values: typing.Dict[builtins.str, typing.Any] = {
            "plugin": plugin,
        }
        if config is not None:
            self._values["config"] = config
        if config_from is not None:
            self._values["config_from"] = config_from
        if config_patches is not None:
            self._values["config_patches"] = config_patches
        if consumer_ref is not None:
            self._values["consumer_ref"] = consumer_ref
        if disabled is not None:
            self._values["disabled"] = disabled
        if instance_name is not None:
            self._values["instance_name"] = instance_name
        if metadata is not None:
            self._values["metadata"] = metadata
        if ordering is not None:
            self._values["ordering"] = ordering
        if protocols is not None:
            self._values["protocols"] = protocols
        if run_on is not None:
            self._values["run_on"] = run_on

    @builtins.property
    def plugin(self) -> builtins.str:
        '''PluginName is the name of the plugin to which to apply the config.

        :schema: KongClusterPlugin#plugin
        '''
        result = self._values.get("plugin")
        assert result is not None, "Required property 'plugin' is missing"
        return typing.cast(builtins.str, result)

    @builtins.property
    def config(self) -> typing.Any:
        '''Config contains the plugin configuration.

        It's a list of keys and values
        required to configure the plugin.
        Please read the documentation of the plugin being configured to set values
        in here. For any plugin in Kong, anything that goes in the ``config`` JSON
        key in the Admin API request, goes into this property.
        Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.

        :schema: KongClusterPlugin#config
        '''
        result = self._values.get("config")
        return typing.cast(typing.Any, result)

    @builtins.property
    def config_from(self) -> typing.Optional["KongClusterPluginConfigFrom"]:
        '''ConfigFrom references a secret containing the plugin configuration.

        This should be used when the plugin configuration contains sensitive information,
        such as AWS credentials in the Lambda plugin or the client secret in the OIDC plugin.
        Only one of ``config`` or ``configFrom`` may be used in a KongClusterPlugin, not both at once.

        :schema: KongClusterPlugin#configFrom
        '''
        result = self._values.get("config_from")
        return typing.cast(typing.Optional["KongClusterPluginConfigFrom"], result)

    @builtins.property
    def config_patches(
        self,
    ) -> typing.Optional[typing.List["KongClusterPluginConfigPatches"]]:
        '''ConfigPatches represents JSON patches to the configuration of the plugin.

        Each item means a JSON patch to add something in the configuration,
        where path is specified in ``path`` and value is in ``valueFrom`` referencing
        a key in a secret.
        When Config is specified, patches will be applied to the configuration in Config.
        Otherwise, patches will be applied to an empty object.

        :schema: KongClusterPlugin#configPatches
        '''
        result = self._values.get("config_patches")
        return typing.cast(typing.Optional[typing.List["KongClusterPluginConfigPatches"]], result)

    @builtins.property
    def consumer_ref(self) -> typing.Optional[builtins.str]:
        '''ConsumerRef is a reference to a particular consumer.

        :schema: KongClusterPlugin#consumerRef
        '''
        result = self._values.get("consumer_ref")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def disabled(self) -> typing.Optional[builtins.bool]:
        '''Disabled set if the plugin is disabled or not.

        :schema: KongClusterPlugin#disabled
        '''
        result = self._values.get("disabled")
        return typing.cast(typing.Optional[builtins.bool], result)

    @builtins.property
    def instance_name(self) -> typing.Optional[builtins.str]:
        '''InstanceName is an optional custom name to identify an instance of the plugin.

        This is useful when running the
        same plugin in multiple contexts, for example, on multiple services.

        :schema: KongClusterPlugin#instance_name
        '''
        result = self._values.get("instance_name")
        return typing.cast(typing.Optional[builtins.str], result)

    @builtins.property
    def metadata(self) -> typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"]:
        '''
        :schema: KongClusterPlugin#metadata
        '''
        result = self._values.get("metadata")
        return typing.cast(typing.Optional["_cdk8s_d3d9af27.ApiObjectMetadata"], result)

    @builtins.property
    def ordering(self) -> typing.Optional["KongClusterPluginOrdering"]:
        '''Ordering overrides the normal plugin execution order.

        It's only available on Kong Enterprise.
        ``<phase>`` is a request processing phase (for example, ``access`` or ``body_filter``) and
        ``<plugin>`` is the name of the plugin that will run before or after the KongPlugin.
        For example, a KongPlugin with ``plugin: rate-limiting`` and ``before.access: ["key-auth"]``
        will create a rate limiting plugin that limits requests *before* they are authenticated.

        :schema: KongClusterPlugin#ordering
        '''
        result = self._values.get("ordering")
        return typing.cast(typing.Optional["KongClusterPluginOrdering"], result)

    @builtins.property
    def protocols(self) -> typing.Optional[typing.List["KongClusterPluginProtocols"]]:
        '''Protocols configures plugin to run on requests received on specific protocols.

        :schema: KongClusterPlugin#protocols
        '''
        result = self._values.get("protocols")
        return typing.cast(typing.Optional[typing.List["KongClusterPluginProtocols"]], result)

    @builtins.property
    def run_on(self) -> typing.Optional["KongClusterPluginRunOn"]:
        '''RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.

        :schema: KongClusterPlugin#run_on
        '''
        result = self._values.get("run_on")
        return typing.cast(typing.Optional["KongClusterPluginRunOn"], result)

    def __eq__(self, rhs: typing.Any) -> builtins.bool:
        return isinstance(rhs, self.__class__) and rhs._values == self._values

    def __ne__(self, rhs: typing.Any) -> builtins.bool:
        return not (rhs == self)

    def __repr__(self) -> str:
        return "KongClusterPluginProps(%s)" % ", ".join(
            k + "=" + repr(v) for k, v in self._values.items()
        )


@jsii.enum(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginProtocols"
)
class KongClusterPluginProtocols(enum.Enum):
    '''KongProtocol is a valid Kong protocol.

    This alias is necessary to deal with https://github.com/kubernetes-sigs/controller-tools/issues/342

    :schema: KongClusterPluginProtocols
    '''

    HTTP = "HTTP"
    '''http.'''
    HTTPS = "HTTPS"
    '''https.'''
    GRPC = "GRPC"
    '''grpc.'''
    GRPCS = "GRPCS"
    '''grpcs.'''
    TCP = "TCP"
    '''tcp.'''
    TLS = "TLS"
    '''tls.'''
    UDP = "UDP"
    '''udp.'''


@jsii.enum(
    jsii_type="kong_kongclusterplugin_comkonghqconfiguration.KongClusterPluginRunOn"
)
class KongClusterPluginRunOn(enum.Enum):
    '''RunOn configures the plugin to run on the first or the second or both nodes in case of a service mesh deployment.

    :schema: KongClusterPluginRunOn
    '''

    FIRST = "FIRST"
    '''first.'''
    SECOND = "SECOND"
    '''second.'''
    ALL = "ALL"
    '''all.'''


__all__ = [
    "KongClusterPlugin",
    "KongClusterPluginConfigFrom",
    "KongClusterPluginConfigFromSecretKeyRef",
    "KongClusterPluginConfigPatches",
    "KongClusterPluginConfigPatchesValueFrom",
    "KongClusterPluginConfigPatchesValueFromSecretKeyRef",
    "KongClusterPluginOrdering",
    "KongClusterPluginProps",
    "KongClusterPluginProtocols",
    "KongClusterPluginRunOn",
]

publication.publish()

def _typecheckingstub__3ec1b9f18fe883aafb0d18988e460e52c7c2e26a7326f5f83b19ad17fa68614e(
    scope: _constructs_77d1e7e8.Construct,
    id: builtins.str,
    *,
    plugin: builtins.str,
    config: typing.Any = None,
    config_from: typing.Optional[typing.Union[KongClusterPluginConfigFrom, typing.Dict[builtins.str, typing.Any]]] = None,
    config_patches: typing.Optional[typing.Sequence[typing.Union[KongClusterPluginConfigPatches, typing.Dict[builtins.str, typing.Any]]]] = None,
    consumer_ref: typing.Optional[builtins.str] = None,
    disabled: typing.Optional[builtins.bool] = None,
    instance_name: typing.Optional[builtins.str] = None,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    ordering: typing.Optional[typing.Union[KongClusterPluginOrdering, typing.Dict[builtins.str, typing.Any]]] = None,
    protocols: typing.Optional[typing.Sequence[KongClusterPluginProtocols]] = None,
    run_on: typing.Optional[KongClusterPluginRunOn] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__c0dde5ba3d2f98a7ce4e2033d99b844d4ead85604e3bcbc51406d6d3f472a7a6(
    *,
    secret_key_ref: typing.Union[KongClusterPluginConfigFromSecretKeyRef, typing.Dict[builtins.str, typing.Any]],
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__a88c2f0802858d3b71bc450c6121ff37ed823b07cbda9781502773f525feef14(
    *,
    key: builtins.str,
    name: builtins.str,
    namespace: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__e2e09616f9f75aa221a2941f96d7feaa2c52a4fa99864fd1eecdfcc43fd40d71(
    *,
    path: builtins.str,
    value_from: typing.Union[KongClusterPluginConfigPatchesValueFrom, typing.Dict[builtins.str, typing.Any]],
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__d568ee18f86e217c76a88b22e4ca622f4722bd917f31ad8d466a3a386dbacda7(
    *,
    secret_key_ref: typing.Union[KongClusterPluginConfigPatchesValueFromSecretKeyRef, typing.Dict[builtins.str, typing.Any]],
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__e8d4ff54b866ee44627271ca36ce27ebef879bc17ddd5e4c8b51b4f37aabfa12(
    *,
    key: builtins.str,
    name: builtins.str,
    namespace: builtins.str,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__ce4822527f74844ca2ae168747235d0fabf136d54fae237ea0bec881d427e3f9(
    *,
    after: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
    before: typing.Optional[typing.Mapping[builtins.str, typing.Sequence[builtins.str]]] = None,
) -> None:
    """Type checking stubs"""
    pass

def _typecheckingstub__2b110106adb93d8e4eb024b70a5c76a1560062d60a4c3256f85304f3ebf7f5ad(
    *,
    plugin: builtins.str,
    config: typing.Any = None,
    config_from: typing.Optional[typing.Union[KongClusterPluginConfigFrom, typing.Dict[builtins.str, typing.Any]]] = None,
    config_patches: typing.Optional[typing.Sequence[typing.Union[KongClusterPluginConfigPatches, typing.Dict[builtins.str, typing.Any]]]] = None,
    consumer_ref: typing.Optional[builtins.str] = None,
    disabled: typing.Optional[builtins.bool] = None,
    instance_name: typing.Optional[builtins.str] = None,
    metadata: typing.Optional[typing.Union[_cdk8s_d3d9af27.ApiObjectMetadata, typing.Dict[builtins.str, typing.Any]]] = None,
    ordering: typing.Optional[typing.Union[KongClusterPluginOrdering, typing.Dict[builtins.str, typing.Any]]] = None,
    protocols: typing.Optional[typing.Sequence[KongClusterPluginProtocols]] = None,
    run_on: typing.Optional[KongClusterPluginRunOn] = None,
) -> None:
    """Type checking stubs"""
    pass
