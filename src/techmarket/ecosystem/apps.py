from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    name = "techmarket.ecosystem"
    verbose_name = "技术转移服务体系"

    def ready(self):
        from techmarket.common import audit
        from techmarket.ecosystem.models import Broker, BrokerStatus, Complaint, EcosystemAction, Institution, Sanction

        audit.register_actions(Institution, EcosystemAction, values=Institution.Status)
        audit.register_actions(Broker, EcosystemAction,
                               values={**dict(BrokerStatus.Status.choices), **dict(Sanction.Kind.choices)})
        audit.register_actions(Complaint, EcosystemAction,
                               values={**dict(Complaint.Status.choices), **dict(Sanction.Kind.choices)})
        audit.register_actions(Sanction, EcosystemAction, values=Sanction.Kind)
        from techmarket.market.models import Registry

        # A 第十九条 decision is logged about the registry (market's model), beside its own actions.
        audit.register_actions(Registry, {EcosystemAction.SANCTION: EcosystemAction.SANCTION.label},
                               values=Sanction.Kind)
